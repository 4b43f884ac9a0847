import { AuthError } from './auth_error.ts'
import type { FieldErrors } from './auth_error.ts'
import { type Password, passwordProblem } from './password.ts'
import { type Username, usernameProblem } from './username.ts'

/** A username and password that both passed validation. */
export interface Credentials {
  readonly username: Username
  readonly password: Password
}

/** Whether `value` is a plain JSON object (not an array, `null` or a primitive). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Parses `{username, password}` from an untrusted request body, reporting every bad field
 * at once in `invalid_request`.
 */
export function parseCredentials(body: unknown): Credentials {
  if (!isJsonObject(body)) {
    throw new AuthError('invalid_request', 'Invalid request body: it must be a JSON object')
  }
  const fields: Record<string, string> = {}
  const usernameIssue = usernameProblem(body.username)
  if (usernameIssue !== undefined) fields.username = usernameIssue
  const passwordIssue = passwordProblem(body.password)
  if (passwordIssue !== undefined) fields.password = passwordIssue
  if (Object.keys(fields).length > 0) {
    throw new AuthError('invalid_request', `Invalid credentials format: ${describe(fields)}`, {
      fields: fields as FieldErrors,
    })
  }
  return { username: body.username as Username, password: body.password as Password }
}

function describe(fields: Record<string, string>): string {
  return Object.entries(fields).map(([name, why]) => `${name} ${why}`).join('; ')
}
