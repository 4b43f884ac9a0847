import type { Middleware } from 'koa'
import { HttpMethodEnum, koaBody } from 'koa-body'
import { AuthError } from '../../domain/auth_error.ts'

/** Largest JSON body accepted. */
export const JSON_BODY_LIMIT = '16kb'

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Refuses a request body that is not JSON with 415. koa-body lets unknown content types
 * through unparsed, so without this a form or text body would reach a route as "no body".
 */
export function requireJsonContentType(): Middleware {
  return async (ctx, next) => {
    // An empty body (Content-Length: 0, as fetch sends on a bare POST) needs no content type.
    const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get('Transfer-Encoding') !== ''
    if (hasBody && METHODS_WITH_BODY.has(ctx.method) && !ctx.request.is('application/json', '+json')) {
      throw new AuthError('unsupported_media_type', 'Cannot read request body: Content-Type must be application/json')
    }
    await next()
  }
}

/**
 * Parses a JSON body (objects and arrays only, 16 KiB at most) into `ctx.request.body`.
 * Bad JSON is a 400 and an oversized body a 413, both mapped by the error middleware.
 */
export const jsonBody: Middleware = koaBody({
  json: true,
  jsonStrict: true,
  jsonLimit: JSON_BODY_LIMIT,
  urlencoded: false,
  text: false,
  multipart: false,
  parsedMethods: [HttpMethodEnum.POST],
}) as Middleware
