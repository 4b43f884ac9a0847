import type { Username } from './username.ts'

/** A user's stable id: what tokens carry as `sub`. */
export type UserId = string & { readonly __brand: 'UserId' }

/** A stored account. `passwordHash` never leaves the core: see {@linkcode toPublicUser}. */
export interface User {
  readonly id: UserId
  readonly username: Username
  readonly passwordHash: string
  /**
   * The stored admin flag: only an operator sets it (the CLI's `promote`, or its `register` of a
   * reserved name). No self-service path leads to it.
   */
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

/** The public view of `user`: everything but the hash. */
export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    username: user.username,
    isAdmin: user.isAdmin,
    createdAt: user.createdAt,
  }
}
