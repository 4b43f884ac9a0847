/** What a suite can need from the machine beyond `npm ci`. */
export type Component = 'redis-server' | 'chromium' | 'node24' | 'deno' | 'script' | 'python3-jwt' | 'nginx' | 'caddy'

/**
 * What `.ci/run` installs or fetches: in CI (`CI=true`, which .ci/run sets) a suite that finds
 * one missing fails instead of skipping, so a broken install cannot pass as a green run of
 * fewer tests. Elsewhere (a laptop without Chromium, say) the suite skips with a line saying why.
 */
export const REQUIRED_IN_CI: ReadonlySet<Component> = new Set([
  'redis-server',
  'chromium',
  'node24',
  'deno',
  'script',
  'nginx',
  'caddy',
])

/**
 * Skips the mocha test or hook `context` with one line naming what is missing, unless
 * `available`; in CI, fails it instead when `component` is one CI provides.
 */
export function requireOrSkip(context: Mocha.Context, component: Component, available: boolean, why: string): void {
  if (available) return
  if (process.env.CI === 'true' && REQUIRED_IN_CI.has(component)) {
    throw new Error(`${component} is required in CI and missing: ${why}`)
  }
  console.log(`      skipped: ${why}`)
  context.skip()
}
