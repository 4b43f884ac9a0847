import type { Middleware } from 'koa'
import { isAuthError } from '../../domain/auth_error.ts'

/** A store hexauth depends on, and how to ask it whether it answers. */
export interface ReadinessProbe {
  readonly name: string
  /**
   * Resolves when the store answers; rejects (or times out) when it does not. A rejection
   * with a `service_unavailable` error says why: its message is shown in `/readyz`.
   */
  check(): Promise<void>
}

/**
 * `GET /readyz`: 200 when every store answers within `timeoutMs`, else 503
 * `service_unavailable` naming the ones that did not, and why when a probe says so.
 * Memory stores have no probe.
 */
export function readiness(probes: readonly ReadinessProbe[], timeoutMs: number): Middleware {
  return async (ctx) => {
    const results = await Promise.all(
      probes.map(async (probe) => [probe.name, await answers(probe, timeoutMs)] as const),
    )
    const checks = Object.fromEntries(results.map(([name, result]) => [name, result === true ? 'ok' : 'unavailable']))
    const down = results.filter(([, result]) => result !== true)
    if (down.length === 0) {
      ctx.body = { status: 'ok', checks }
      return
    }
    const reasons = down.flatMap(([, result]) => typeof result === 'string' ? [result] : [])
    const why = reasons.length === 0 ? '' : ` (${reasons.join('; ')})`
    ctx.status = 503
    ctx.body = {
      error: 'service_unavailable',
      message: `Not ready: ${down.map(([name]) => name).join(' and ')} unavailable${why}`,
      checks,
    }
  }
}

/** `true`, or why not: the message of a `service_unavailable` rejection, else `false`. */
async function answers(probe: ReadinessProbe, timeoutMs: number): Promise<true | string | false> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  // Only our own errors are shown: a driver's message may name hosts, never meant for clients.
  const failure = (error: unknown) => isAuthError(error, 'service_unavailable') ? error.message : false
  try {
    return await Promise.race([probe.check().then(() => true as const, failure), timeout])
  } finally {
    clearTimeout(timer)
  }
}
