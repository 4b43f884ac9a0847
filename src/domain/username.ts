import { AuthError } from './auth_error.ts'

/** A username as the user typed it, already validated. */
export type Username = string & { readonly __brand: 'Username' }

/** The case-folded form of a username: what uniqueness and look-ups use. */
export type UsernameKey = string & { readonly __brand: 'UsernameKey' }

/** Shortest accepted username, in characters. */
export const USERNAME_MIN_LENGTH = 3
/** Longest accepted username, in characters. */
export const USERNAME_MAX_LENGTH = 64

/** What a username may contain. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/

/**
 * Why `raw` is not a valid username, or `undefined` when it is.
 * Only strings are considered: numbers, arrays and objects are never coerced.
 */
export function usernameProblem(raw: unknown): string | undefined {
  if (raw === undefined) return 'is required'
  if (typeof raw !== 'string') return 'must be a string'
  if (raw.length < USERNAME_MIN_LENGTH || raw.length > USERNAME_MAX_LENGTH) {
    return `must be ${USERNAME_MIN_LENGTH} to ${USERNAME_MAX_LENGTH} characters long`
  }
  if (!USERNAME_PATTERN.test(raw)) return 'may contain only letters, digits, "_", "." and "-"'
  return undefined
}

/** Parses a username from untrusted input; throws `invalid_request` naming the field. */
export function parseUsername(raw: unknown): Username {
  const problem = usernameProblem(raw)
  if (problem !== undefined) {
    throw new AuthError('invalid_request', `Invalid username: it ${problem}`, {
      fields: { username: problem },
    })
  }
  return raw as Username
}

/** The key two usernames share when they differ only in letter case. */
export function usernameKey(username: Username): UsernameKey {
  // The pattern admits ASCII only, so a plain lower-casing is a full case fold.
  return username.toLowerCase() as UsernameKey
}
