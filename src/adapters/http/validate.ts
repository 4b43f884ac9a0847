import type { Middleware } from 'koa'
import type { z } from 'zod'
import { AuthError } from '../../domain/auth_error.ts'

/**
 * Validates `ctx.request.body` against `schema` (after {@linkcode jsonBody}): a body that is
 * not an object, or any bad field, is 400 `invalid_request` with one reason per field.
 */
export function validateBody(schema: z.ZodType): Middleware {
  return async (ctx, next) => {
    const body: unknown = ctx.request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AuthError('invalid_request', 'Invalid request body: it must be a JSON object')
    }
    const result = schema.safeParse(body)
    if (!result.success) {
      const fields: Record<string, string> = {}
      for (const issue of result.error.issues) {
        const field = String(issue.path[0] ?? 'body')
        fields[field] ??= issue.message // the first reason per field, as the domain reports it
      }
      const summary = Object.entries(fields).map(([name, why]) => `${name} ${why}`).join('; ')
      throw new AuthError('invalid_request', `Invalid request body: ${summary}`, { fields })
    }
    await next()
  }
}
