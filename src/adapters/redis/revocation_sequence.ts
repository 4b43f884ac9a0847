import type { Clock } from '../../application/ports/clock.ts'
import type { Logger } from '../logger.ts'
import type { RedisClient } from './redis_client.ts'
import type { keyBuilder } from './revocation_store.ts'

// After lost writes: writes epoch KEYS[1] = ARGV[1] if it is missing, or, for a rollback
// (ARGV[3]), if it is earlier (an epoch only ever moves forward); raises sequence KEYS[2] above
// ARGV[2], what this instance had seen; publishes a heartbeat carrying it on channel ARGV[4],
// which every feed takes for a gap, and resyncs. One atomic step on the keys' primary.
const RESTORE_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if not epoch or (ARGV[3] == 'rollback' and tonumber(ARGV[1]) > tonumber(epoch)) then
  redis.call('SET', KEYS[1], ARGV[1])
end
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
if seq <= tonumber(ARGV[2]) then
  seq = tonumber(ARGV[2]) + 1
  redis.call('SET', KEYS[2], seq)
end
redis.call('PUBLISH', ARGV[4], 'hb:' .. seq)
return seq`

/** Dependencies of {@linkcode RevocationSequence}. */
export interface RevocationSequenceDeps {
  readonly client: RedisClient
  readonly clock: Clock
  readonly logger: Logger
  readonly keys: ReturnType<typeof keyBuilder>
}

/** How Redis lost revocations: all of them (the epoch marker is gone too), or the latest. */
export type LostWrites = 'wipe' | 'rollback'

/**
 * The blocklist's write sequence as this instance has seen it. Every revocation increments a
 * counter in Redis; the highest value seen (own writes, feed messages, heartbeats, checks) is
 * remembered. A command that answers less than what was known when it was sent proves that
 * Redis lost writes: an older snapshot restored, an AOF `everysec` crash, a failover to a
 * lagging replica. Then, as after a wipe, the epoch moves forward to now, so every token
 * issued before it is refused, and the counter is raised above what was seen.
 */
export class RevocationSequence {
  readonly #deps: RevocationSequenceDeps
  #highest = 0
  // What was known when the last restore began: reads sent before it are covered by it.
  #restoredUpTo = -1
  #restores = 0
  #restoring: Promise<void> | undefined
  // Logged already and not restored yet: a restore that keeps failing is logged once.
  #reported = false

  constructor(deps: RevocationSequenceDeps) {
    this.#deps = deps
  }

  /** A sequence number as Redis stores it: a missing or unreadable counter is 0. */
  static parse(value: string | null | undefined): number {
    const seq = Number(value ?? 0)
    return Number.isSafeInteger(seq) && seq > 0 ? seq : 0
  }

  /** The highest sequence number seen: read it before sending a command, as its floor. */
  get highest(): number {
    return this.#highest
  }

  /** How many restores began: a copy of the blocklist made before the last one is stale. */
  get restores(): number {
    return this.#restores
  }

  /** Records a sequence number Redis reached (a write's result, a feed message). */
  saw(seq: number): void {
    if (seq > this.#highest) this.#highest = seq
  }

  /**
   * Whether `seen`, read by a command sent when {@linkcode highest} was `floor`, agrees with
   * it; records it if so. `false` means Redis lost writes: call {@linkcode recover}.
   */
  observe(floor: number, seen: number): boolean {
    if (seen < floor) return false
    this.saw(seen)
    return true
  }

  /**
   * Restores after lost writes seen by a command sent when {@linkcode highest} was `floor`
   * (one restore at a time; none for a read sent before the last one, which covers it).
   * Rejects when Redis cannot be written to: then the next read finds the loss again.
   */
  recover(lost: LostWrites, floor: number, seen = 0): Promise<void> {
    if (floor <= this.#restoredUpTo) return Promise.resolve()
    this.#restoring ??= this.#restore(lost, seen).finally(() => {
      this.#restoring = undefined
    })
    return this.#restoring
  }

  async #restore(lost: LostWrites, seen: number): Promise<void> {
    const { client, clock, keys } = this.#deps
    this.#restores++
    const highest = this.#highest
    const now = (clock.now() / 1000).toFixed(3)
    if (!this.#reported) this.#report(lost, seen, Number(now))
    this.#reported = true
    const seq = await client.eval(RESTORE_SCRIPT, 2, keys.epoch, keys.sequence, now, highest, lost, keys.channel)
    this.#restoredUpTo = highest
    this.#reported = false
    this.saw(Number(seq))
  }

  #report(lost: LostWrites, seen: number, epoch: number): void {
    const { logger } = this.#deps
    if (lost === 'rollback') {
      logger.error(
        { sequence_seen: this.#highest, sequence_read: seen, epoch },
        'Redis lost revocations (its revocation sequence went back: an older snapshot restored, or a failover to a lagging replica); every token issued before now is refused, users sign in again',
      )
    } else {
      logger.error(
        { epoch },
        'Redis lost the blocklist (its epoch marker is gone: restarted without persistence, flushed, or failed over); every token issued before now is refused, users sign in again',
      )
    }
  }
}
