import type { ParameterizedContext } from 'koa'
import { Counter } from 'prom-client'
import type { Logger } from '../logger.ts'
import type { AuthState } from './auth_middleware.ts'
import type { Metrics } from './metrics.ts'

/** Every security event the audit trail records (DESIGN, "Sessions, self-service and audit"). */
export const AUDIT_EVENTS = [
  'registered',
  'login_succeeded',
  'login_failed',
  'refresh_reused',
  'logged_out',
  'sessions_revoked',
  'password_changed',
  'account_deleted',
  'admin_changed',
  'users_deleted',
  'rate_limited',
  'csrf_failed',
] as const

/** One of {@linkcode AUDIT_EVENTS}. */
export type AuditEvent = typeof AUDIT_EVENTS[number]

/** Who and where, for one audit line: never a password, token or hash. */
export interface AuditFields {
  readonly sub?: string | undefined
  readonly username?: string | undefined
  readonly ip?: string | undefined
  readonly req_id?: string | undefined
  /** `admin_changed`: the new flag, and who changed it. */
  readonly is_admin?: boolean
  readonly by?: 'cli'
}

/** The event a successful request to a route pattern is. */
const ON_SUCCESS: Readonly<Record<string, AuditEvent>> = {
  'POST /registration': 'registered',
  'POST /login': 'login_succeeded',
  'POST /fresh-login': 'login_succeeded',
  'POST /logout': 'logged_out',
  'POST /logout/access': 'logged_out',
  'POST /logout/refresh': 'logged_out',
  'POST /logout/all': 'logged_out',
  'DELETE /sessions': 'sessions_revoked',
  'DELETE /sessions/:id': 'sessions_revoked',
  'POST /password': 'password_changed',
  'DELETE /me': 'account_deleted',
  'DELETE /users': 'users_deleted',
  'DELETE /users/:username': 'users_deleted',
}

/** The event an error code is, on any route. */
const ON_ERROR: Readonly<Record<string, AuditEvent>> = {
  invalid_credentials: 'login_failed',
  token_reused: 'refresh_reused',
  rate_limited: 'rate_limited',
  csrf_failed: 'csrf_failed',
}

/** Writes audit lines and counts them in `hexauth_audit_events_total{event}`. */
export class AuditTrail {
  readonly #logger: Logger
  readonly #counter: Counter<'event'> | undefined

  constructor(logger: Logger, metrics?: Metrics) {
    this.#logger = logger
    this.#counter = metrics === undefined ? undefined : new Counter({
      name: 'hexauth_audit_events_total',
      help: 'Security events by kind (the audit trail)',
      labelNames: ['event'],
      registers: [metrics.registry],
    })
    // Every event shows in /metrics from the start, at 0, so a rate over it is defined.
    for (const event of AUDIT_EVENTS) this.#counter?.inc({ event }, 0)
  }

  /** Records one event: a log line at `info` with `audit: true`, and the counter. */
  record(event: AuditEvent, fields: AuditFields): void {
    this.#counter?.inc({ event })
    const line = Object.fromEntries(
      Object.entries({ audit: true, event, ...fields }).filter(([, value]) => value !== undefined),
    )
    this.#logger.info(line, `audit ${event}`)
  }
}

/**
 * Records the audit event of a finished request, if it is one, from its route pattern and
 * status, or its error code: after the error is answered (its code is read from the answer),
 * before the request log line.
 */
export function auditRequest(trail: AuditTrail, ctx: ParameterizedContext<AuthState>, requestId: string): void {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute
  const body = ctx.body as { error?: unknown } | undefined
  const event = ctx.status < 300
    ? ON_SUCCESS[`${ctx.method} ${typeof route === 'string' ? route : ''}`]
    : typeof body?.error === 'string'
    ? ON_ERROR[body.error]
    : undefined
  if (event !== undefined) trail.record(event, fieldsOf(ctx, requestId))
}

function fieldsOf(ctx: ParameterizedContext<AuthState>, requestId: string): AuditFields {
  const claims = ctx.state.auth
  const body = ctx.request.body as { username?: unknown } | undefined
  // The name a login was tried with: a validated string (at most 64 characters), else none.
  const typed = typeof body?.username === 'string' && body.username.length <= 64 ? body.username : undefined
  return {
    sub: ctx.state.actor?.sub ?? claims?.sub,
    username: ctx.state.actor?.username ?? claims?.preferredUsername ?? typed,
    ip: ctx.ip,
    req_id: requestId,
  }
}
