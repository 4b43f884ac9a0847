// The resync worker (see scan_worker.ts): reads every revocation with its own connection and
// answers its copy, the tables' buffers transferred.
import { parentPort, workerData } from 'node:worker_threads'
import { LocalRevocations } from './local_revocations.ts'
import { closeRedisClient, createRedisClient, waitUntilReady } from './redis_client.ts'
import { scanRevocations } from './revocation_scan.ts'
import type { ScanWorkerAnswer, ScanWorkerData } from './scan_worker.ts'

const { options, prefix } = workerData as ScanWorkerData
const client = createRedisClient(options)
let answer: ScanWorkerAnswer
const transfer: ArrayBuffer[] = []
try {
  if (!await waitUntilReady(client, Math.max(2 * options.commandTimeoutMs, 2000))) {
    throw new Error('Redis did not answer the resync worker')
  }
  const local = new LocalRevocations()
  await scanRevocations(client, prefix, (entry) => local.apply(entry))
  const snapshot = local.snapshot()
  for (const tables of [snapshot.tokens, snapshot.families]) {
    transfer.push(tables.hi.buffer as ArrayBuffer, tables.lo.buffer as ArrayBuffer, tables.until.buffer as ArrayBuffer)
  }
  answer = { snapshot }
} catch (error) {
  answer = { error: error instanceof Error ? error.message : String(error) }
}
await closeRedisClient(client).catch(() => {})
parentPort!.postMessage(answer, transfer)
