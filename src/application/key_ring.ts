import { AuthError } from '../domain/auth_error.ts'
import {
  type AsymmetricAlgorithm,
  type KeyPolicy,
  type KeySummary,
  liveKeys,
  type NextKey,
  nextKeyDue,
  removableKeys,
  rotationAt,
  scheduled,
  type SigningKey,
  signingKeyAt,
  summarize,
} from '../domain/signing_key.ts'
import type { Clock } from './ports/clock.ts'
import type { KeyMaker, OpenedKey } from './ports/key_maker.ts'
import type { KeyStore } from './ports/key_store.ts'
import type { ActiveKey, PublishedKey, SigningKeys } from './ports/signing_keys.ts'

/** Dependencies of {@linkcode KeyRing}. */
export interface KeyRingDeps {
  readonly store: KeyStore
  readonly maker: KeyMaker
  readonly clock: Clock
  readonly policy: KeyPolicy
  /** The algorithm of the keys the ring generates. @default "ES256" */
  readonly algorithm: AsymmetricAlgorithm
  /**
   * Whether the ring generates, rotates and removes keys (managed), or uses the store's keys
   * as they are (a key file an operator maintains).
   */
  readonly managed: boolean
}

/** What {@linkcode KeyRing.rotate} did. */
export interface KeyRotation {
  /** The next key: new, or the one already published and waiting to sign. */
  readonly key: KeySummary
  readonly created: boolean
}

interface Held {
  readonly key: SigningKey
  readonly active: ActiveKey
}

/**
 * The keys tokens are signed and verified with, refreshed from a {@linkcode KeyStore} and
 * held in memory. A managed ring creates the first key when the store is empty, the next one
 * `prepublishMs` before the rotation (so verifiers' JWKS caches learn it before it signs), and
 * removes keys whose every token has expired. Instances sharing a store need no other
 * coordination: the store keeps one key per generation, a loser of a race reads the winner's
 * key, and the signing key is computed from the schedule at each signature, so every instance
 * switches to a new key at the same moment. A key that cannot be opened (another encryption
 * secret) fails the refresh before anything is created: the ring never mints a key to replace
 * one it cannot read.
 */
export class KeyRing implements SigningKeys {
  readonly #deps: KeyRingDeps
  #held = new Map<string, Held>()
  #loaded = false
  #refreshing: Promise<void> | undefined

  constructor(deps: KeyRingDeps) {
    this.#deps = deps
  }

  /** Whether keys were loaded at least once. */
  get loaded(): boolean {
    return this.#loaded
  }

  /**
   * Reads the store and holds its keys; a managed ring also adds the key that is due and
   * removes the expired ones. Concurrent calls share one run. On failure the keys held stay.
   * @throws `service_unavailable`; `RangeError` for a key that cannot be opened
   */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined
    })
    return this.#refreshing
  }

  /**
   * Schedules the next key now, pre-published like any other (a managed ring only): answers
   * it, or the one already published and waiting to sign.
   */
  async rotate(): Promise<KeyRotation> {
    if (!this.#deps.managed) throw new TypeError('Cannot rotate keys: this key ring does not manage its keys')
    await this.refresh()
    const next = rotationAt(this.#keys(), this.#deps.policy, this.#deps.clock.now())
    const created = next !== undefined && await this.#add(next)
    await this.refresh()
    return { key: summarize(this.#keys().at(-1)!, this.#deps.clock.now()), created }
  }

  current(): ActiveKey {
    this.#requireLoaded()
    const key = signingKeyAt(this.#keys(), this.#deps.clock.now())
    if (key === undefined) throw new AuthError('service_unavailable', 'Cannot sign tokens: no signing key is held')
    return this.#held.get(key.kid)!.active
  }

  find(kid: string | undefined): ActiveKey | undefined {
    this.#requireLoaded()
    if (kid === undefined) return undefined // every key of a ring has an id: a token without one is not ours
    const held = this.#held.get(kid)
    if (held === undefined || liveKeys([held.key], this.#deps.clock.now()).length === 0) return undefined
    return held.active
  }

  published(): readonly PublishedKey[] {
    if (!this.#loaded) return []
    return liveKeys(this.#keys(), this.#deps.clock.now()).map(({ kid, alg, publicJwk }) => ({ kid, alg, publicJwk }))
  }

  describe(): readonly KeySummary[] {
    const now = this.#deps.clock.now()
    return this.#keys().map((key) => summarize(key, now))
  }

  async #refresh(): Promise<void> {
    const { store, policy, clock, managed } = this.#deps
    let keys = await this.#open(await store.list())
    if (managed) {
      const due = nextKeyDue(keys, policy, clock.now())
      if (due !== undefined) {
        await this.#add(due)
        keys = await this.#open(await store.list())
      }
      for (const key of removableKeys(keys, clock.now())) {
        await store.remove(key.kid)
        this.#held.delete(key.kid)
      }
    }
    this.#loaded = true
  }

  /**
   * Generates and stores the key `next`: true when it was stored, false when another instance
   * stored this generation first (no failure: the next list reads the winner's key).
   */
  async #add(next: NextKey): Promise<boolean> {
    const { maker, store, algorithm } = this.#deps
    const made = await maker.generate(algorithm)
    return store.add({ ...next, kid: made.kid, alg: made.alg, publicJwk: made.publicJwk, sealed: made.sealed })
  }

  /** Opens every key not held yet, then holds exactly `stored` (scheduled). */
  async #open(stored: readonly SigningKey[]): Promise<SigningKey[]> {
    const keys = scheduled(stored, this.#deps.policy)
    const held = new Map<string, Held>()
    for (const key of keys) {
      const known = this.#held.get(key.kid)
      const opened: OpenedKey | undefined = known === undefined ? await this.#deps.maker.open(key) : undefined
      held.set(key.kid, {
        key,
        active: known?.active ??
          { kid: key.kid, alg: key.alg, signing: opened!.privateKey, verifying: opened!.publicKey },
      })
    }
    this.#held = held
    return keys
  }

  #keys(): SigningKey[] {
    return [...this.#held.values()].map((held) => held.key)
  }

  #requireLoaded(): void {
    if (!this.#loaded) {
      throw new AuthError('service_unavailable', 'Cannot use the signing keys: they have not been loaded yet')
    }
  }
}
