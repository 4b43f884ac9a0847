import { AuthError } from './auth_error.ts'

/** A plaintext password that passed the length rules; never logged, stored or echoed. */
export type Password = string & { readonly __brand: 'Password' }

/** Shortest accepted password, in characters (NIST SP 800-63B). */
export const PASSWORD_MIN_LENGTH = 8
/** Longest accepted password, in characters: bounds the hashing work one request can ask for. */
export const PASSWORD_MAX_LENGTH = 1024

const LONE_SURROGATE = /\p{Cs}/u

/** Why `raw` is not an acceptable password, or `undefined` when it is. Never coerces. */
export function passwordProblem(raw: unknown): string | undefined {
  if (raw === undefined) return 'is required'
  if (typeof raw !== 'string') return 'must be a string'
  // A lone surrogate is no character: hashing would turn every one into U+FFFD, making
  // different passwords equal.
  if (LONE_SURROGATE.test(raw)) return 'must be valid Unicode text'
  // Count code points, not UTF-16 units, so an emoji is one character.
  const length = [...raw].length
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    return `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`
  }
  return undefined
}

/** Parses a password from untrusted input; throws `invalid_request` naming the field. */
export function parsePassword(raw: unknown): Password {
  const problem = passwordProblem(raw)
  if (problem !== undefined) {
    throw new AuthError('invalid_request', `Invalid password: it ${problem}`, {
      fields: { password: problem },
    })
  }
  return raw as Password
}
