import coBody from 'co-body'
import type { Middleware } from 'koa'
import { AuthError } from '../../domain/auth_error.ts'

declare module 'koa' {
  interface Request {
    /** The parsed JSON body, once {@linkcode jsonBody} has read it. */
    body?: unknown
  }
}

/** Largest JSON body accepted. */
export const JSON_BODY_LIMIT = '16kb'

/**
 * Reads a JSON body of a POST or DELETE (objects and arrays only, 16 KiB at most) into `ctx.request.body`, for
 * the routes that take one, with co-body (what koa-body parses JSON with; koa-body itself is
 * not used: its multipart support loads formidable, 13 MB of a process's memory for nothing).
 * A body of another type is a 415; bad JSON a 400 and an oversized body a 413, both mapped by
 * the error middleware; a body whose Content-Encoding does not decode a 400.
 */
export const jsonBody: Middleware = async (ctx, next) => {
  // An empty body (Content-Length: 0, as fetch sends on a bare POST) needs no content type.
  const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get('Transfer-Encoding') !== ''
  if (hasBody && !ctx.request.is('application/json')) {
    throw new AuthError('unsupported_media_type', 'Cannot read request body: Content-Type must be application/json')
  }
  if ((ctx.method === 'POST' || ctx.method === 'DELETE') && ctx.request.is('application/json')) {
    try {
      ctx.request.body = await coBody.json(ctx, { limit: JSON_BODY_LIMIT, strict: true })
    } catch (error) {
      if (typeof (error as { status?: unknown } | null)?.status === 'number') throw error
      // zlib errors carry no status: a body that claims an encoding it does not have.
      throw new AuthError('invalid_request', 'Cannot read request body: it does not match its Content-Encoding', {
        cause: error,
      })
    }
  }
  await next()
}
