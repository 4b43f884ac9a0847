import { z } from 'zod'
import type { AuthErrorCode } from '../../domain/auth_error.ts'
import { ITEM_NAME_MAX_LENGTH } from '../../domain/item.ts'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '../../domain/password.ts'
import { USERNAME_MAX_LENGTH, USERNAME_MIN_LENGTH, USERNAME_PATTERN, usernameProblem } from '../../domain/username.ts'
import { STATUS } from './errors.ts'

// Request schemas validate every body before a use case sees it and are what /openapi.json
// is generated from. The rules are the domain's own (its problem functions), so the two
// layers can never disagree; `meta` carries them into the JSON Schema.
const str = z.string({ error: (issue) => issue.input === undefined ? 'is required' : 'must be a string' })
const rule = (problem: (raw: unknown) => string | undefined) => (value: string, ctx: z.core.$RefinementCtx) => {
  const why = problem(value)
  if (why !== undefined) ctx.addIssue({ code: 'custom', message: why })
}

/** `{username, password}`, as registration and both logins take it. */
export const CredentialsBody = z.object({
  username: str.superRefine(rule(usernameProblem)).meta({
    minLength: USERNAME_MIN_LENGTH,
    maxLength: USERNAME_MAX_LENGTH,
    pattern: USERNAME_PATTERN.source,
    description: 'Letters, digits, "_", "." and "-"; unique regardless of letter case',
    example: 'alice',
  }),
  password: str.superRefine(rule(passwordProblem)).meta({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    format: 'password',
    example: 'correct horse battery',
  }),
})

/** `{current_password, new_password}` for `POST /password`. */
export const PasswordChangeBody = z.object({
  current_password: z.string().min(1).meta({ format: 'password', description: 'Checked as a login checks it' }),
  new_password: str.superRefine(rule(passwordProblem)).meta({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    format: 'password',
    description: 'Refused when it is on the common-password list (case-insensitively)',
    example: 'a much longer passphrase',
  }),
})

/** `{password}` for `DELETE /me`. */
export const PasswordBody = z.object({ password: z.string().min(1).meta({ format: 'password' }) })

/** `{price}` for a new item. */
export const PriceBody = z.object({
  price: z.number({ error: (issue) => issue.input === undefined ? 'is required' : 'must be a non-negative number' })
    .min(0, 'must be a non-negative number').meta({ example: 1000 }),
})

/** The item name in `/item/{name}`. */
export const ItemName = z.string().min(1).max(ITEM_NAME_MAX_LENGTH).meta({
  pattern: '^[\\p{L}\\p{M}\\p{N} _.-]+$',
  example: 'piano',
})

const jwt = z.string().meta({
  description:
    'A JWT (compact JWS; ES256 by default, its kid in the header); in TOKEN_LOCATION=cookies mode absent, set as a cookie',
})
const csrfToken = z.string().optional().meta({
  description: "Cookie mode only: the session's CSRF value, to send in X-CSRF-Token on unsafe requests",
})
export const TokenPair = z.object({ message: z.string(), access_token: jwt, refresh_token: jwt, csrf_token: csrfToken })
export const AccessOnly = z.object({ access_token: jwt, csrf_token: csrfToken })
export const Rotated = z.object({ access_token: jwt, refresh_token: jwt, csrf_token: csrfToken })
export const Message = z.object({ message: z.string() })
export const Me = z.object({
  id: z.string(),
  username: z.string(),
  is_admin: z.boolean(),
  created_at: z.iso.datetime(),
})
export const SessionList = z.object({
  sessions: z.array(z.object({
    id: z.string().meta({ description: 'The session (refresh family) id: opaque, never a token' }),
    created_at: z.iso.datetime(),
    last_used_at: z.iso.datetime(),
    user_agent: z.string().nullable(),
    ip: z.string().nullable(),
    current: z.boolean(),
  })),
})
export const Revoked = z.object({ message: z.string(), revoked: z.number().int() })
/** What password change answers: a new pair in header mode (`csrf_token` in cookie mode). */
export const PasswordChanged = z.object({
  message: z.string(),
  access_token: jwt.optional(),
  refresh_token: jwt.optional(),
  csrf_token: z.string().optional().meta({ description: 'Cookie mode: the value to send in X-CSRF-Token' }),
})
export const Secret = z.object({ answer: z.literal(42) })
export const Item = z.object({ name: z.string(), price: z.number() })
export const ItemList = z.object({
  items: z.union([z.array(Item), z.array(z.string())]).meta({
    description: 'Full items when signed in, names otherwise',
  }),
  message: z.string().optional().meta({ description: 'Present for anonymous callers' }),
})
export const UserList = z.object({
  users: z.array(
    z.object({ id: z.string(), username: z.string(), is_admin: z.boolean(), created_at: z.iso.datetime() }),
  ),
})
export const Deleted = z.object({ message: z.string(), deleted: z.number().int() })
export const Health = z.object({ status: z.literal('ok'), checks: z.record(z.string(), z.string()).optional() })

/** The JWK Set of `/.well-known/jwks.json`: public parameters only. */
export const Jwks = z.object({
  keys: z.array(z.object({
    kty: z.enum(['EC', 'OKP', 'RSA']),
    kid: z.string(),
    alg: z.enum(['ES256', 'EdDSA', 'RS256']),
    use: z.literal('sig'),
    crv: z.string().optional(),
    x: z.string().optional(),
    y: z.string().optional(),
    n: z.string().optional(),
    e: z.string().optional(),
  })),
})
/** RFC 8414 authorization server metadata. */
export const ServerMetadata = z.object({
  issuer: z.string().meta({ description: 'The `iss` of every token' }),
  jwks_uri: z.url(),
  response_types_supported: z.array(z.string()).meta({ description: 'Empty: hexauth has no authorization endpoint' }),
  grant_types_supported: z.array(z.string()).meta({ description: 'Empty: hexauth has no OAuth token endpoint' }),
  introspection_endpoint: z.url().meta({ description: 'RFC 7662, for the clients of CLIENTS' }),
  introspection_endpoint_auth_methods_supported: z.array(z.literal('client_secret_basic')),
  revocation_endpoint: z.url().meta({ description: 'RFC 7009, for the clients of CLIENTS' }),
  revocation_endpoint_auth_methods_supported: z.array(z.literal('client_secret_basic')),
})

const codes = Object.keys(STATUS) as [AuthErrorCode, ...AuthErrorCode[]]
/** Every error body: a stable code, a message, and per-field reasons on validation errors. */
export const ErrorBody = z.object({
  error: z.enum([...codes, 'internal_error']),
  message: z.string(),
  fields: z.record(z.string(), z.string()).optional(),
})
