/** The algorithms hexauth signs tokens with; the verifier takes exactly the one of a token's key. */
export type KeyAlgorithm = 'ES256' | 'EdDSA' | 'RS256' | 'HS256'

/** The algorithms of key pairs: what the key ring generates and the JWKS publishes. */
export type AsymmetricAlgorithm = Exclude<KeyAlgorithm, 'HS256'>

/** Every {@linkcode KeyAlgorithm}, the default first. */
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ES256', 'EdDSA', 'RS256', 'HS256']

/** The public half of a key pair as a JWK (RFC 7517): public parameters only. */
export interface PublicJwk {
  readonly kty: string
  readonly crv?: string
  readonly x?: string
  readonly y?: string
  readonly n?: string
  readonly e?: string
}

/**
 * One key of the ring. Times are milliseconds since the epoch. Stores hold what was added;
 * `signsUntil` and `removeAt` are derived by {@linkcode scheduled} from the next generation,
 * unless a store states them (a key file's verify-only keys).
 */
export interface SigningKey {
  readonly kid: string
  readonly alg: KeyAlgorithm
  /** 1 for the first key, then consecutive: one key per generation, so racing instances agree. */
  readonly generation: number
  /** When the key entered the JWKS. */
  readonly publishedAt: number
  /** When it starts to sign; before that it is pre-published, so verifiers can learn it. */
  readonly signsFrom: number
  /** When it stops signing: the next generation's `signsFrom`. */
  readonly signsUntil?: number
  /** When it leaves the JWKS and stops verifying: every token it signed has expired. */
  readonly removeAt?: number
  readonly publicJwk: PublicJwk
  /** The private key, sealed by the key maker: opaque to the core. */
  readonly sealed: string
}

/** Where a key stands at a given time. */
export type KeyState = 'published' | 'signing' | 'retired' | 'removed'

/** How the ring rotates keys, in milliseconds. */
export interface KeyPolicy {
  /** How long a key signs before the next one takes over. @default 30 days */
  readonly rotationMs: number
  /** How long a key is published before it signs: longer than verifiers cache a JWKS. @default 2 hours */
  readonly prepublishMs: number
  /**
   * How long a key keeps verifying (and stays published) after it last signed: the longest
   * life of a token it signed, plus the leeway. @default refresh TTL + access TTL + leeway
   */
  readonly retentionMs: number
}

/** What a key shows to an operator: never its private part. */
export interface KeySummary {
  readonly kid: string
  readonly alg: KeyAlgorithm
  readonly generation: number
  readonly state: KeyState
  readonly publishedAt: number
  readonly signsFrom: number
  readonly signsUntil: number | undefined
  readonly removeAt: number | undefined
}

/** A key the ring should add: its generation and times. */
export interface NextKey {
  readonly generation: number
  readonly publishedAt: number
  readonly signsFrom: number
}

/** The state of `key` at `now`. */
export function keyState(key: SigningKey, now: number): KeyState {
  if (now < key.signsFrom) return 'published'
  if (key.signsUntil === undefined || now < key.signsUntil) return 'signing'
  if (key.removeAt === undefined || now < key.removeAt) return 'retired'
  return 'removed'
}

/** `keys` in generation order, each with the `signsUntil` and `removeAt` its successor gives it. */
export function scheduled(keys: readonly SigningKey[], policy: KeyPolicy): SigningKey[] {
  const sorted = [...keys].sort((a, b) => a.generation - b.generation)
  return sorted.map((key, i) => {
    const signsUntil = key.signsUntil ?? sorted[i + 1]?.signsFrom
    const removeAt = key.removeAt ?? (signsUntil === undefined ? undefined : signsUntil + policy.retentionMs)
    return { ...key, ...signsUntil === undefined ? {} : { signsUntil }, ...removeAt === undefined ? {} : { removeAt } }
  })
}

/**
 * The key that signs at `now` among scheduled keys: the newest one that has started. On a
 * clock behind the one of the instance that made the first key, none has: then the first key,
 * which nobody else signs with either (a later key always has a predecessor still signing).
 */
export function signingKeyAt(keys: readonly SigningKey[], now: number): SigningKey | undefined {
  const started = keys.filter((key) => keyState(key, now) === 'signing').at(-1)
  if (started !== undefined) return started
  const first = keys[0]
  return first !== undefined && keyState(first, now) === 'published' ? first : undefined
}

/** The scheduled keys that verify and are published at `now`: every one not yet removed. */
export function liveKeys(keys: readonly SigningKey[], now: number): SigningKey[] {
  return keys.filter((key) => keyState(key, now) !== 'removed')
}

/** The scheduled keys whose every token has expired at `now`: to delete from the store. */
export function removableKeys(keys: readonly SigningKey[], now: number): SigningKey[] {
  return keys.filter((key) => keyState(key, now) === 'removed')
}

/**
 * The key to add at `now` on schedule, if one is due: the first key (signing at once) for an
 * empty ring; else, once the newest key is `prepublishMs` short of its rotation, the next
 * generation, signing at the rotation but never sooner than `prepublishMs` from now.
 */
export function nextKeyDue(keys: readonly SigningKey[], policy: KeyPolicy, now: number): NextKey | undefined {
  const newest = keys.at(-1)
  if (newest === undefined) return { generation: 1, publishedAt: now, signsFrom: now }
  if (newest.signsFrom > now) return undefined // the next key is already published
  const planned = newest.signsFrom + policy.rotationMs
  if (now < planned - policy.prepublishMs) return undefined
  return {
    generation: newest.generation + 1,
    publishedAt: now,
    signsFrom: Math.max(planned, now + policy.prepublishMs),
  }
}

/**
 * The key an operator's rotation adds at `now`: the next generation, pre-published for
 * `prepublishMs` like any other; `undefined` when one is already published and not yet signing.
 */
export function rotationAt(keys: readonly SigningKey[], policy: KeyPolicy, now: number): NextKey | undefined {
  const newest = keys.at(-1)
  if (newest === undefined) return { generation: 1, publishedAt: now, signsFrom: now }
  if (newest.signsFrom > now) return undefined
  return { generation: newest.generation + 1, publishedAt: now, signsFrom: now + policy.prepublishMs }
}

/** What an operator may see of a scheduled key at `now`. */
export function summarize(key: SigningKey, now: number): KeySummary {
  return {
    kid: key.kid,
    alg: key.alg,
    generation: key.generation,
    state: keyState(key, now),
    publishedAt: key.publishedAt,
    signsFrom: key.signsFrom,
    signsUntil: key.signsUntil,
    removeAt: key.removeAt,
  }
}
