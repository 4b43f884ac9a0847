import type { User, UserId } from '../../domain/user.ts'
import type { Username } from '../../domain/username.ts'

/** Where accounts live. Look-ups by username are case-insensitive. */
export interface UserRepository {
  /** Stores a new user; throws `username_taken` when the name exists in any letter case. */
  create(user: User): Promise<void>
  findByUsername(username: Username): Promise<User | undefined>
  findById(id: UserId): Promise<User | undefined>
  /** Every user, oldest first. */
  list(): Promise<readonly User[]>
  /** Replaces the password hash (re-hash on login); false when the user is gone. */
  updatePasswordHash(id: UserId, passwordHash: string): Promise<boolean>
  /**
   * Sets the stored admin flag of the user named `username` (any letter case); returns the
   * updated user, or `undefined` when there is none.
   */
  setAdmin(username: Username, isAdmin: boolean): Promise<User | undefined>
  /** Deletes one user; returns it, or `undefined` when there was none. */
  delete(username: Username): Promise<User | undefined>
  /** Deletes every user; returns those deleted. */
  deleteAll(): Promise<readonly User[]>
}

/** Injection token of {@linkcode UserRepository}. */
export const UserRepository = Symbol('UserRepository')
