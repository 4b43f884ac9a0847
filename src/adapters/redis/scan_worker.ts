import { Worker } from 'node:worker_threads'
import type { RevocationsSnapshot } from './local_revocations.ts'
import type { RedisClientOptions } from './redis_client.ts'

/** A resync's reading, running in a worker thread. */
export interface ScanInWorker {
  /** What the worker read; rejects with its error, or when it was stopped. */
  readonly done: Promise<RevocationsSnapshot>
  /** Ends the worker (its connection with it). */
  stop(): void
}

/** What the worker is given. */
export interface ScanWorkerData {
  readonly options: RedisClientOptions
  readonly prefix: string
}

/** What the worker answers: the snapshot, its tables' buffers transferred; or why it failed. */
export type ScanWorkerAnswer =
  | { readonly snapshot: RevocationsSnapshot }
  | { readonly error: string }

/**
 * Whether a resync should read in a worker on Node `version` (`process.versions.node`).
 * Measured with 1 000 000 revocations, RSS 40 s after the resync against an instance with none:
 * Node 24 (V8 13) keeps the pages an in-thread resync's garbage took in its page pool, resident
 * (+79 to +128 MB), and +21 to +25 MB with the worker; Node 20 returns them (+2 to +5 MB), and
 * with the worker keeps +28 to +64 MB (the worker's own allocations).
 */
export function resyncsInWorkerOn(version: string): boolean {
  return Number(version.split('.')[0]) >= 24
}

/**
 * The revocation sequence from which a resync on Node 24 reads in the worker: the worker's own
 * heap, freed when it ends, stays pooled like the in-thread garbage, about 23 MB even for a
 * scan that finds nothing (RSS 136 vs 113 MB at start, 191 vs 159 MB after 875 000 `/secret`),
 * while an in-thread scan leaves about 100 bytes an entry (+79..128 MB for 1 000 000).
 */
export const RESYNC_WORKER_FROM = 250_000

/**
 * Reads every revocation under `prefix` in a worker thread with a connection of its own, and
 * answers the fingerprint tables it built (moved, not copied). The keys and replies it reads
 * (a string per key) are garbage in the worker's heap, freed whole when the worker ends.
 */
export function scanInWorker(options: RedisClientOptions, prefix: string): ScanInWorker {
  const entry =
    new URL(import.meta.url.endsWith('.ts') ? './scan_worker_entry.ts' : './scan_worker_entry.js', import.meta.url)
      .href
  // A worker does not inherit tsx's module hooks (Node 20 + tsx, `npm start`): it registers them
  // itself before loading a .ts entry, unless this Node strips types (Node 24).
  const boot = `const entry = ${JSON.stringify(entry)}
import(entry.endsWith('.ts') && !process.features.typescript ? 'tsx/esm/api' : 'node:os')
  .then((loader) => loader.register?.())
  .then(() => import(entry))`
  const data: ScanWorkerData = { options, prefix }
  const worker = new Worker(boot, { eval: true, workerData: data })
  const done = new Promise<RevocationsSnapshot>((resolve, reject) => {
    worker.once('message', (answer: ScanWorkerAnswer) => {
      if ('snapshot' in answer) resolve(answer.snapshot)
      else reject(new Error(answer.error))
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the resync worker ended (exit code ${code}) before it answered`)))
  })
  done.catch(() => {}).finally(() => void worker.terminate())
  return { done, stop: () => void worker.terminate() }
}
