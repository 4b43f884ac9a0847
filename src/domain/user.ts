import type { Username, UsernameKey } from './username.ts'
import { usernameKey } from './username.ts'

/** A user's stable id: what tokens carry as `sub`. */
export type UserId = string & { readonly __brand: 'UserId' }

/** A stored account. `passwordHash` never leaves the core: see {@linkcode toPublicUser}. */
export interface User {
  readonly id: UserId
  readonly username: Username
  readonly passwordHash: string
  /** The stored admin flag (set by the CLI); `ADMIN_USERNAMES` is applied on top. */
  readonly isAdmin: boolean
  readonly createdAt: Date
}

/** What may be shown of a user to an admin: never the hash. */
export interface PublicUser {
  readonly id: UserId
  readonly username: Username
  readonly isAdmin: boolean
  readonly createdAt: Date
}

/** Whether `user` is an admin, by the stored flag or the configured admin usernames. */
export function isAdminUser(user: User, adminUsernames: ReadonlySet<UsernameKey>): boolean {
  return user.isAdmin || adminUsernames.has(usernameKey(user.username))
}

/** The public view of `user`, with its effective admin flag. */
export function toPublicUser(user: User, adminUsernames: ReadonlySet<UsernameKey>): PublicUser {
  return {
    id: user.id,
    username: user.username,
    isAdmin: isAdminUser(user, adminUsernames),
    createdAt: user.createdAt,
  }
}
