import { readdirSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { setPriority } from 'node:os'

/**
 * Lowers the CPU priority of every thread of this process but the main one (Linux only):
 * libuv's pool, where argon2 hashes, and V8's helpers. Under a login storm the kernel then
 * gives the event loop (token checks) the cores first and hashing the rest; with nothing to
 * check, hashing still gets every core. Returns how many threads were reniced.
 */
export async function lowerWorkerThreadPriority(niceness = 10): Promise<number> {
  // Node on Linux only: Deno has no libuv pool, and a tuning step never stops a start.
  if (process.platform !== 'linux' || 'Deno' in globalThis) return 0
  let tids: number[]
  try {
    await stat('.') // libuv starts all pool threads on the first job
    tids = readdirSync('/proc/self/task').map(Number)
  } catch {
    return 0
  }
  let changed = 0
  for (const tid of tids) {
    if (tid === process.pid) continue // the main thread: the event loop
    try {
      setPriority(tid, niceness) // on Linux, PRIO_PROCESS with a thread id sets that thread only
      changed++
    } catch {
      // a thread that ended meanwhile, or a platform that refuses: priority stays as it was
    }
  }
  return changed
}
