import { z } from 'zod'
import {
  AccessOnly,
  CredentialsBody,
  Deleted,
  ErrorBody,
  Health,
  Item,
  ItemList,
  ItemName,
  Jwks,
  Me,
  Message,
  PasswordBody,
  PasswordChangeBody,
  PasswordChanged,
  PriceBody,
  Revoked,
  Rotated,
  Secret,
  ServerMetadata,
  SessionList,
  TokenPair,
  UserList,
} from './schemas.ts'
import { IntrospectionAnswer, RevocationAnswer, TokenForm, VerifyRequire } from './forward_auth_schemas.ts'
import { VERIFY_METHODS, VERIFY_PATH } from './forward_auth_routes.ts'

type Auth = 'none' | 'access' | 'refresh' | 'fresh' | 'admin' | 'optional' | 'optional-refresh' | 'client'

/** The groups /docs shows the operations in, in this order. */
export const TAGS = [
  {
    name: 'accounts',
    description: 'Sign up, sign in, and what a signed-in caller sees and manages: account, password, sessions',
  },
  { name: 'tokens', description: 'Refresh, and log out: one token, one session, or everywhere' },
  { name: 'users', description: 'Administration of the accounts (admins only)' },
  { name: 'items', description: 'The catalogue: optional authentication, fresh tokens, admin rights' },
  {
    name: 'keys',
    description:
      'For the other services of a stack: the public keys, the issuer metadata, introspection, revocation and forward-auth',
  },
  { name: 'operations', description: 'Health, readiness, metrics and this documentation' },
] as const

/** One of {@linkcode TAGS}. */
export type Tag = typeof TAGS[number]['name']

/** One operation of the HTTP contract, as documented. */
export interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options'
  /** The router pattern, e.g. `/item/:name`. */
  readonly path: string
  readonly summary: string
  readonly tag: Tag
  readonly auth: Auth
  readonly body?: z.ZodType
  /** A form body (`application/x-www-form-urlencoded`) instead of JSON. */
  readonly form?: z.ZodType
  /** Query parameters: name → schema. */
  readonly query?: Readonly<Record<string, z.ZodType>>
  readonly ok: readonly [number, z.ZodType | 'text']
  /** Error statuses this operation can answer with, beyond the auth ones. */
  readonly errors?: readonly number[]
}

/** Every route the app serves. A test holds this table and the router to each other. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/registration',
    summary: 'Create an account and sign in',
    tag: 'accounts',
    auth: 'none',
    body: CredentialsBody,
    ok: [201, TokenPair],
    errors: [400, 409, 413, 415, 429],
  },
  {
    method: 'post',
    path: '/login',
    summary: 'Sign in: a fresh access token and a refresh token',
    tag: 'accounts',
    auth: 'none',
    body: CredentialsBody,
    ok: [200, TokenPair],
    errors: [400, 401, 413, 415, 429],
  },
  {
    method: 'post',
    path: '/fresh-login',
    summary: "Re-check the password for a fresh access token (with the session's refresh token: of that session)",
    tag: 'accounts',
    auth: 'optional-refresh',
    body: CredentialsBody,
    ok: [200, AccessOnly],
    errors: [400, 401, 413, 415, 429],
  },
  {
    method: 'post',
    path: '/token/refresh',
    summary: 'Rotate a refresh token for a new pair (access not fresh)',
    tag: 'tokens',
    auth: 'refresh',
    ok: [200, Rotated],
    errors: [429],
  },
  {
    method: 'post',
    path: '/logout/access',
    summary: 'Revoke the presented access token',
    tag: 'tokens',
    auth: 'access',
    ok: [200, Message],
  },
  {
    method: 'post',
    path: '/logout/refresh',
    summary: "Revoke the refresh token's whole session",
    tag: 'tokens',
    auth: 'refresh',
    ok: [200, Message],
  },
  {
    method: 'post',
    path: '/logout/all',
    summary: 'Revoke every token of the user issued up to now',
    tag: 'tokens',
    auth: 'access',
    ok: [200, Message],
  },
  {
    method: 'get',
    path: '/secret',
    summary: 'The answer, for any signed-in caller',
    tag: 'accounts',
    auth: 'access',
    ok: [200, Secret],
  },
  {
    method: 'post',
    path: '/logout',
    summary: "Revoke the caller's login session and clear the token cookies (cookie or header token)",
    tag: 'tokens',
    auth: 'access',
    ok: [200, Message],
  },
  { method: 'get', path: '/me', summary: "The caller's own account", tag: 'accounts', auth: 'access', ok: [200, Me] },
  {
    method: 'post',
    path: '/password',
    summary: 'Change the password: every other session revoked, a new pair for this one',
    tag: 'accounts',
    auth: 'access',
    body: PasswordChangeBody,
    ok: [200, PasswordChanged],
    errors: [400, 403, 413, 415, 429],
  },
  {
    method: 'delete',
    path: '/me',
    summary: "Delete the caller's own account (password and fresh token): every token revoked",
    tag: 'accounts',
    auth: 'fresh',
    body: PasswordBody,
    ok: [200, Message],
    errors: [400, 403, 413, 415, 429],
  },
  {
    method: 'get',
    path: '/sessions',
    summary: "The caller's live login sessions",
    tag: 'accounts',
    auth: 'access',
    ok: [200, SessionList],
  },
  {
    method: 'delete',
    path: '/sessions/:id',
    summary: "End one of the caller's sessions (another user's id is a 404)",
    tag: 'accounts',
    auth: 'access',
    ok: [200, Revoked],
    errors: [403, 404],
  },
  {
    method: 'delete',
    path: '/sessions',
    summary: 'End every session of the caller but the current one; answers how many',
    tag: 'accounts',
    auth: 'access',
    ok: [200, Revoked],
    errors: [403],
  },
  {
    method: 'get',
    path: '/users',
    summary: 'List users (no hashes)',
    tag: 'users',
    auth: 'admin',
    ok: [200, UserList],
  },
  {
    method: 'delete',
    path: '/users',
    summary: 'Delete every user and revoke their tokens',
    tag: 'users',
    auth: 'admin',
    ok: [200, Deleted],
  },
  {
    method: 'delete',
    path: '/users/:username',
    summary: 'Delete a user and revoke their tokens',
    tag: 'users',
    auth: 'admin',
    ok: [200, Message],
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/items',
    summary: 'Items: full for a signed-in caller, names otherwise',
    tag: 'items',
    auth: 'optional',
    ok: [200, ItemList],
  },
  {
    method: 'get',
    path: '/item/:name',
    summary: 'One item',
    tag: 'items',
    auth: 'access',
    ok: [200, Item],
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/item/:name',
    summary: 'Create an item (fresh token)',
    tag: 'items',
    auth: 'fresh',
    body: PriceBody,
    ok: [201, Item],
    errors: [400, 409, 413, 415],
  },
  {
    method: 'delete',
    path: '/item/:name',
    summary: 'Delete an item',
    tag: 'items',
    auth: 'admin',
    ok: [200, Message],
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'The public signing keys (JWK Set): cacheable, with an ETag',
    tag: 'keys',
    auth: 'none',
    ok: [200, Jwks],
  },
  {
    method: 'get',
    path: '/.well-known/oauth-authorization-server',
    summary: 'RFC 8414 metadata: the issuer and where its keys are',
    tag: 'keys',
    auth: 'none',
    ok: [200, ServerMetadata],
  },
  {
    method: 'post',
    path: '/introspect',
    summary: 'RFC 7662: is this token good right now, and what does it say (for resource servers of CLIENTS)',
    tag: 'keys',
    auth: 'client',
    form: TokenForm,
    ok: [200, IntrospectionAnswer],
    errors: [400],
  },
  {
    method: 'post',
    path: '/revoke',
    summary: "RFC 7009: revoke a token (an access token, or a refresh token's whole session); 200 for any token",
    tag: 'keys',
    auth: 'client',
    form: TokenForm,
    ok: [200, RevocationAnswer],
    errors: [400],
  },
  ...VERIFY_METHODS.map((method): Operation => ({
    method,
    path: VERIFY_PATH,
    tag: 'keys',
    auth: 'access',
    query: { require: VerifyRequire },
    ok: [200, 'text'],
    errors: [400, 403],
    summary:
      'Forward-auth for reverse proxies (any method, body never read): 200 with X-Auth-Subject, X-Auth-Username, X-Auth-Admin',
  })),
  { method: 'get', path: '/healthz', summary: 'Liveness', tag: 'operations', auth: 'none', ok: [200, Health] },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: MongoDB and Redis answer',
    tag: 'operations',
    auth: 'none',
    ok: [200, Health],
    errors: [503],
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    auth: 'none',
    ok: [200, 'text'],
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'operations',
    auth: 'none',
    ok: [200, 'text'],
  },
  {
    method: 'get',
    path: '/docs',
    summary: 'A page rendering this document',
    tag: 'operations',
    auth: 'none',
    ok: [200, 'text'],
  },
]

const AUTH_ERRORS: Readonly<Record<Auth, readonly number[]>> = {
  none: [],
  client: [401, 503],
  optional: [401, 503],
  'optional-refresh': [401, 503],
  access: [401, 503],
  refresh: [401, 503],
  fresh: [401, 503],
  admin: [401, 403, 503],
}
const REASONS: Readonly<Record<number, string>> = {
  400: 'Invalid request (`invalid_request`, with `fields`)',
  401:
    'Token or credential problem: `authorization_required`, `invalid_token`, `token_expired`, `token_revoked`, `token_reused`, `fresh_token_required`, `invalid_credentials`, `invalid_client` (with a Basic challenge)',
  403: '`admin_required`; `csrf_failed` in cookie mode (cross-site request, or X-CSRF-Token missing or wrong)',
  404: '`not_found`',
  409: '`username_taken` or `item_exists`',
  413: '`payload_too_large`',
  415: '`unsupported_media_type`',
  429: '`rate_limited`, with `Retry-After`',
  503: '`service_unavailable`: a store cannot answer',
}

const SESSION_ID = z.string().meta({ description: 'A session id from GET /sessions' })

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>
  return rest
}

function pathParameter(name: string): Record<string, unknown> {
  const schema = name === 'username' ? CredentialsBody.shape.username : name === 'id' ? SESSION_ID : ItemName
  return { name, in: 'path', required: true, schema: json(schema, 'input') }
}

/** The OpenAPI 3.1 document of {@linkcode OPERATIONS}, from the schemas that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of OPERATIONS) {
    const path = op.path.replace(/:(\w+)/g, '{$1}')
    const statuses = [...new Set([...op.errors ?? [], ...AUTH_ERRORS[op.auth]])].sort()
    paths[path] ??= {}
    paths[path][op.method] = {
      summary: op.summary,
      tags: [op.tag],
      ...op.auth === 'none'
        ? { security: [] }
        : op.auth === 'client'
        ? { security: [{ basic: [] }] }
        : op.auth.startsWith('optional')
        ? { security: [{}, { bearer: [] }] }
        : { security: [{ bearer: [] }] },
      ...op.auth === 'fresh' || op.auth === 'admin'
        ? { description: `Needs ${op.auth === 'fresh' ? 'a fresh access token' : 'the `is_admin` claim'}.` }
        : {},
      ...path.includes('{') ? { parameters: [pathParameter(path.match(/\{(\w+)\}/)![1]!)] } : {},
      ...op.query === undefined ? {} : {
        parameters: Object.entries(op.query).map(([name, schema]) => ({
          name,
          in: 'query',
          required: false,
          schema: json(schema, 'input'),
        })),
      },
      ...op.body === undefined
        ? {}
        : { requestBody: { required: true, content: { 'application/json': { schema: json(op.body, 'input') } } } },
      ...op.form === undefined ? {} : {
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: json(op.form, 'input') } },
        },
      },
      responses: {
        [op.ok[0]]: {
          description: 'Success',
          ...op.ok[1] === 'text' ? {} : { content: { 'application/json': { schema: json(op.ok[1]) } } },
        },
        ...Object.fromEntries(statuses.map((status) => [status, {
          description: REASONS[status],
          content: { 'application/json': { schema: json(ErrorBody) } },
        }])),
      },
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'hexauth',
      version: '0.1.0',
      description: 'JWT authentication: accounts, access and refresh tokens, revocation, claims.',
    },
    servers: [{ url: '/' }],
    tags: TAGS,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        basic: { type: 'http', scheme: 'basic', description: 'A client of CLIENTS: id and secret' },
        // Not listed per operation: in cookie mode it stands in for bearer wherever bearer is asked for.
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: '__Host-hexauth-access',
          description:
            'TOKEN_LOCATION=cookies: the access token in an HttpOnly cookie (hexauth-access with COOKIE_SECURE=false); POST, PUT, PATCH and DELETE also need X-CSRF-Token, else 403 csrf_failed',
        },
      },
    },
    paths,
  }
}
