// Counts the Redis commands one `GET /secret` costs: starts a redis-server on a free port and
// hexauth on it, sends N requests, and diffs `INFO commandstats`. Not a test: a measurement.
//   node --import tsx bench/redis_commands.ts [N]
import { Redis } from 'ioredis'
import { call, register, startTestServer } from '../test/support/http_harness.ts'
import { freePort, LocalRedis } from '../test/support/redis_server.ts'

const n = Number(process.argv[2] ?? 1000)
const redis = new LocalRedis(await freePort())
await redis.start()
const app = await startTestServer({ REDIS_URL: redis.url })
const admin = new Redis(redis.url)

async function stats(): Promise<Record<string, number>> {
  const calls: Record<string, number> = {}
  for (const m of (await admin.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls[m[1]!] = Number(m[2])
  }
  return calls
}

try {
  const { accessToken } = await register(app.url, 'counter')
  await call(app.url, '/secret', { token: accessToken })
  const before = await stats()
  for (let i = 0; i < n; i++) {
    const result = await call(app.url, '/secret', { token: accessToken })
    if (result.status !== 200) throw new Error(`GET /secret answered ${result.status}`)
  }
  const after = await stats()
  const delta = Object.entries(after)
    .filter(([name]) => name !== 'info')
    .map(([name, calls]) => [name, calls - (before[name] ?? 0)] as const)
    .filter(([, calls]) => calls > 0)
  console.log(`${n} × GET /secret → Redis commands:`, Object.fromEntries(delta))
  console.log(`per request: ${(delta.reduce((sum, [, calls]) => sum + calls, 0) / n).toFixed(3)}`)
} finally {
  await admin.quit()
  await app.close()
  await redis.stop()
}
