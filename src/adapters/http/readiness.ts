import type { Middleware } from 'koa'

/** A store hexauth depends on, and how to ask it whether it answers. */
export interface ReadinessProbe {
  readonly name: string
  /** Resolves when the store answers; rejects (or times out) when it does not. */
  check(): Promise<void>
}

/**
 * `GET /readyz`: 200 when every store answers within `timeoutMs`, else 503
 * `service_unavailable` naming the ones that did not. Memory stores have no probe.
 */
export function readiness(probes: readonly ReadinessProbe[], timeoutMs: number): Middleware {
  return async (ctx) => {
    const results = await Promise.all(probes.map(async (probe) => [probe.name, await answers(probe, timeoutMs)] as const))
    const checks = Object.fromEntries(results.map(([name, ok]) => [name, ok ? 'ok' : 'unavailable']))
    const down = results.filter(([, ok]) => !ok).map(([name]) => name)
    if (down.length === 0) {
      ctx.body = { status: 'ok', checks }
      return
    }
    ctx.status = 503
    ctx.body = { error: 'service_unavailable', message: `Not ready: ${down.join(' and ')} unavailable`, checks }
  }
}

async function answers(probe: ReadinessProbe, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })
  try {
    return await Promise.race([probe.check().then(() => true, () => false), timeout])
  } finally {
    clearTimeout(timer)
  }
}
