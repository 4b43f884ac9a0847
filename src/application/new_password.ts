import { AuthError } from '../domain/auth_error.ts'
import { type Password, passwordProblem } from '../domain/password.ts'
import type { CommonPasswords } from './ports/common_passwords.ts'

/** Why a common password is refused, as `fields` reports it. */
export const COMMON_PASSWORD_PROBLEM = 'is too common: it is on a list of passwords attackers try first'

/**
 * Refuses `password` when it is on the common-password list (case-insensitively), naming
 * `field`. No composition rules (ASVS 6.2.5): length and the list only.
 * @throws `invalid_request`
 */
export function refuseCommonPassword(common: CommonPasswords | undefined, password: string, field: string): void {
  if (common?.includes(password) === true) {
    throw new AuthError('invalid_request', `Invalid ${field}: it ${COMMON_PASSWORD_PROBLEM}`, {
      fields: { [field]: COMMON_PASSWORD_PROBLEM },
    })
  }
}

/**
 * Parses a new password from untrusted input (the length rules, then the list), naming `field`.
 * @throws `invalid_request`
 */
export function parseNewPassword(raw: unknown, field: string, common: CommonPasswords | undefined): Password {
  const problem = passwordProblem(raw)
  if (problem !== undefined) {
    throw new AuthError('invalid_request', `Invalid ${field}: it ${problem}`, { fields: { [field]: problem } })
  }
  refuseCommonPassword(common, raw as string, field)
  return raw as Password
}
