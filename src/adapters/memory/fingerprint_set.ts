/**
 * A set of ids, each with an expiry, held as 64-bit fingerprints in typed arrays: 12 bytes a
 * slot, the table doubled when three quarters of its slots are used, so from 3/8 to 3/4 of them
 * used: 16 to 32 bytes an entry however long the ids (past the initial 1024 slots), and nothing
 * for the garbage collector to trace. A Map of strings costs about 1 KB an entry.
 *
 * Answers "maybe" or "no": two ids can share a fingerprint, so a hit is only a candidate the
 * caller confirms elsewhere (the store of record); a miss is certain, since every id added is
 * there until it expires. Open addressing with linear probing; expired entries are dropped
 * when the table is rebuilt ({@linkcode sweep}, or growth).
 */
/** A {@linkcode FingerprintSet}'s table: slot `i` holds fingerprint `hi[i]:lo[i]` until `until[i]` (0: empty). */
export interface FingerprintTables {
  readonly hi: Uint32Array
  readonly lo: Uint32Array
  readonly until: Uint32Array
}

export class FingerprintSet {
  #hi: Uint32Array
  #lo: Uint32Array
  // Seconds since the epoch; 0 marks an empty slot.
  #until: Uint32Array
  #count = 0

  /** `capacity`: initial slots, rounded up to a power of two. @default 1024 */
  constructor(capacity = 1024) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, capacity)))
    this.#hi = new Uint32Array(slots)
    this.#lo = new Uint32Array(slots)
    this.#until = new Uint32Array(slots)
  }

  /** Entries held, expired ones not yet swept included. */
  get size(): number {
    return this.#count
  }

  /** Bytes the table takes. */
  get bytes(): number {
    return this.#hi.byteLength + this.#lo.byteLength + this.#until.byteLength
  }

  /** Adds `id` until `expiresAt` (seconds); an id already there keeps the later expiry. */
  add(id: string, expiresAt: number): void {
    const [hi, lo] = fingerprint(id)
    this.#insert(hi, lo, Math.min(0xffffffff, Math.max(1, Math.ceil(expiresAt))))
  }

  #insert(hi: number, lo: number, until: number): void {
    if ((this.#count + 1) * 4 > this.#hi.length * 3) this.#rebuild(this.#hi.length * 2, 0)
    const mask = this.#hi.length - 1
    for (let slot = lo & mask;; slot = (slot + 1) & mask) {
      if (this.#until[slot] === 0) {
        this.#hi[slot] = hi
        this.#lo[slot] = lo
        this.#until[slot] = until
        this.#count++
        return
      }
      if (this.#hi[slot] === hi && this.#lo[slot] === lo) {
        this.#until[slot] = Math.max(this.#until[slot]!, until)
        return
      }
    }
  }

  /** Whether `id` may be in the set and not expired at `now` (seconds): a hit needs confirming. */
  mayHold(id: string, now: number): boolean {
    const [hi, lo] = fingerprint(id)
    const mask = this.#hi.length - 1
    for (let slot = lo & mask; this.#until[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.#hi[slot] === hi && this.#lo[slot] === lo) return this.#until[slot]! > now
    }
    return false
  }

  /** The table itself, to send to another thread (transfer its buffers) and {@linkcode absorb} there. */
  tables(): FingerprintTables {
    return { hi: this.#hi, lo: this.#lo, until: this.#until }
  }

  /** Adds every entry of `tables` (another set's {@linkcode tables}), keeping the later expiry of one held in both. */
  absorb(tables: FingerprintTables): void {
    const { hi, lo, until } = tables
    for (let slot = 0; slot < until.length; slot++) {
      if (until[slot] !== 0) this.#insert(hi[slot]!, lo[slot]!, until[slot]!)
    }
  }

  /** Drops the entries expired at `now` (seconds), halving the table while under 3/8 of it would be used. */
  sweep(now: number): void {
    let live = 0
    for (let slot = 0; slot < this.#until.length; slot++) if (this.#until[slot]! > now) live++
    let slots = this.#hi.length
    while (slots > 1024 && live * 8 < slots * 3) slots /= 2
    this.#rebuild(slots, now)
  }

  /** Re-inserts every entry alive at `now` into a table of `slots`. */
  #rebuild(slots: number, now: number): void {
    const [hi, lo, until] = [this.#hi, this.#lo, this.#until]
    this.#hi = new Uint32Array(slots)
    this.#lo = new Uint32Array(slots)
    this.#until = new Uint32Array(slots)
    this.#count = 0
    const mask = slots - 1
    for (let old = 0; old < until.length; old++) {
      if (until[old]! <= now) continue // empty (0) or expired
      let slot = lo[old]! & mask
      while (this.#until[slot] !== 0) slot = (slot + 1) & mask
      this.#hi[slot] = hi[old]!
      this.#lo[slot] = lo[old]!
      this.#until[slot] = until[old]!
      this.#count++
    }
  }
}

/**
 * Two 32-bit FNV-1a hashes of `id` from different offset bases, each finished with murmur3's
 * mixer (so the low bits that pick a slot are well spread): a 64-bit fingerprint. Not
 * cryptographic: a collision only costs the caller a confirmation.
 */
function fingerprint(id: string): [number, number] {
  let a = 0x811c9dc5
  let b = 0x050c5d1f
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x01000193)
  }
  return [mix(a), mix(b ^ 0x9e3779b9)]
}

function mix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
