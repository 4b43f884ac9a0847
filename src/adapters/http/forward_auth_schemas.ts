import { z } from 'zod'

// The documented shapes of /introspect, /revoke and /auth/verify (the routes parse their input
// themselves: a form and a query parameter, not a JSON body).

/** The form of an RFC 7662 / RFC 7009 request. */
export const TokenForm = z.object({
  token: z.string().min(1).meta({ description: 'The token, access or refresh' }),
  token_type_hint: z.enum(['access_token', 'refresh_token']).optional().meta({
    description: 'A hint only: the other kind is tried too',
  }),
})

/** RFC 7662's answer: every field for a good token, only `active: false` for any other. */
export const IntrospectionAnswer = z.union([
  z.object({
    active: z.literal(true),
    token_type: z.enum(['access_token', 'refresh_token']),
    sub: z.string(),
    username: z.string(),
    iss: z.string(),
    aud: z.string(),
    exp: z.number().int(),
    iat: z.number().int(),
    nbf: z.number().int(),
    jti: z.string(),
    is_admin: z.boolean(),
    fresh: z.boolean(),
  }),
  z.object({ active: z.literal(false) }).strict().meta({
    description: 'Any token that is not good, whatever the reason',
  }),
])

/** RFC 7009's answer: 200 and an empty object, whatever the token was. */
export const RevocationAnswer = z.object({}).strict()

/** `?require=` of `/auth/verify`. */
export const VerifyRequire = z.enum(['admin', 'fresh', 'admin,fresh']).meta({
  description:
    '`admin`: 403 `admin_required` unless the token carries `is_admin`; `fresh`: 401 `fresh_token_required` unless it is fresh',
})
