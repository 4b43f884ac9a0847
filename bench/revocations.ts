// Many revocations in Redis at once, as a month of logouts leaves them: written directly (keys
// as hexauth writes them, pipelined), not published, so only a resync can learn them.
import { Redis } from 'ioredis'
import { keyBuilder } from '../src/adapters/redis/revocation_store.ts'

/** Writes `count` token revocations under `prefix`, each expiring in an hour; sets the epoch first. */
export async function revokeMany(url: string, prefix: string, count: number): Promise<void> {
  const client = new Redis(url)
  const keys = keyBuilder(prefix)
  const now = Date.now() / 1000
  const exp = Math.floor(now) + 3600
  await client.set(keys.epoch, (now - 60).toFixed(3), 'NX') // tokens of the last minute stay good
  for (let done = 0; done < count; done += 10_000) {
    const pipeline = client.pipeline()
    for (let i = 0; i < Math.min(10_000, count - done); i++) {
      pipeline.set(keys.jti(crypto.randomUUID()), '0', 'EXAT', exp)
    }
    await pipeline.exec()
  }
  await client.incrby(keys.sequence, count) // as hexauth's own revocations leave it, one each
  console.log(`== ${await client.dbsize()} keys in Redis after revoking ${count} tokens`)
  await client.quit()
}
