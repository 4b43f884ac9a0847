import { readFile } from 'node:fs/promises'
import { importJWK, type JWK } from 'jose'
import type { Clock } from '../../application/ports/clock.ts'
import type { KeyStore } from '../../application/ports/key_store.ts'
import type { SigningKey } from '../../domain/signing_key.ts'
import { type JoseKeyMaker, publicPart } from '../crypto/jose_key_maker.ts'

/** Dependencies of {@linkcode FileKeyStore}. */
export interface FileKeyStoreDeps {
  /** The JWK Set of private keys (`JWT_KEYS_FILE`, a Docker secret). */
  readonly path: string
  /** Seals the file's private keys for the time they are held in memory. */
  readonly maker: JoseKeyMaker
  readonly clock: Clock
}

/** What each algorithm's keys must be (RFC 7518, RFC 8037). */
const KEY_TYPES: Readonly<Record<string, { readonly kty: string; readonly crv?: string }>> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  RS256: { kty: 'RSA' },
}
const MIN_RSA_BITS = 2048
const MAX_FILE_BYTES = 1024 * 1024
const PROBE = new TextEncoder().encode('hexauth key file check')

/**
 * The keys of a JWK Set file an operator maintains, read-only: the first key signs, the
 * others only verify (and are published), as long as they are in the file. Read and checked
 * by {@linkcode reload} (at start, and on SIGHUP): every key private, with a kid and an alg
 * hexauth signs with, of the right type, RSA of 2048 bits or more, its public half matching
 * its private one. A file that fails leaves the keys read before in place.
 */
export class FileKeyStore implements KeyStore {
  readonly #deps: FileKeyStoreDeps
  #keys: readonly SigningKey[] | undefined

  constructor(deps: FileKeyStoreDeps) {
    this.#deps = deps
  }

  /**
   * Reads the file again.
   * @throws `RangeError` naming `JWT_KEYS_FILE` and what is wrong (never any key material)
   */
  async reload(): Promise<void> {
    const jwks = await this.#read()
    const now = this.#deps.clock.now()
    const keys: SigningKey[] = []
    for (const [index, jwk] of jwks.entries()) {
      const kid = await checkKey(jwk, index, jwks)
      const generation = jwks.length - index
      keys.push({
        kid,
        alg: jwk.alg as SigningKey['alg'],
        generation,
        publishedAt: now,
        signsFrom: now,
        // The first key signs; the others verify for as long as the file holds them.
        ...index === 0 ? {} : { signsUntil: now, removeAt: Number.POSITIVE_INFINITY },
        publicJwk: publicPart(jwk),
        sealed: await this.#deps.maker.seal(jwk, kid, jwk.alg!),
      })
    }
    this.#keys = keys.reverse()
  }

  async list(): Promise<readonly SigningKey[]> {
    if (this.#keys === undefined) await this.reload()
    return this.#keys!
  }

  add(): Promise<boolean> {
    return Promise.reject(
      new TypeError('Cannot add a signing key: the keys come from JWT_KEYS_FILE, which hexauth only reads'),
    )
  }

  remove(): Promise<void> {
    return Promise.reject(
      new TypeError('Cannot remove a signing key: the keys come from JWT_KEYS_FILE, which hexauth only reads'),
    )
  }

  async #read(): Promise<JWK[]> {
    const { path } = this.#deps
    let text: string
    try {
      const bytes = await readFile(path)
      if (bytes.byteLength > MAX_FILE_BYTES) throw fail(`${path} is larger than 1 MiB`)
      text = bytes.toString('utf8')
    } catch (error) {
      if (error instanceof RangeError) throw error
      throw fail(`${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw fail(`${path} is not JSON: it must be a JWK Set, {"keys": [...]}`)
    }
    const keys = (parsed as { keys?: unknown } | null)?.keys
    if (!Array.isArray(keys) || keys.length === 0) {
      throw fail(`${path} must be a JWK Set with at least one key, {"keys": [...]}`)
    }
    return keys as JWK[]
  }
}

/** Checks one key of the file; answers its kid. */
async function checkKey(jwk: JWK, index: number, all: readonly JWK[]): Promise<string> {
  const name = `key ${index + 1}`
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw fail(`${name} is not a JWK object`)
  const { kid, alg, kty, crv, use, d } = jwk
  // Printable ASCII only: a kid is shown by `hexauth keys list` and in logs.
  if (typeof kid !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(kid)) {
    throw fail(`${name} has no "kid" (1 to 128 printable ASCII characters, no spaces)`)
  }
  const label = `key ${index + 1} (kid ${JSON.stringify(kid)})`
  if (all.findIndex((other) => other?.kid === kid) !== index) throw fail(`${label} has the kid of an earlier key`)
  if (kty === 'oct') throw fail(`${label} is a shared secret: a key file holds key pairs; use JWT_SECRET for HS256`)
  const type = typeof alg === 'string' ? KEY_TYPES[alg] : undefined
  if (type === undefined) throw fail(`${label} has "alg" ${JSON.stringify(alg)}: it must be ES256, EdDSA or RS256`)
  if (kty !== type.kty || (type.crv !== undefined && crv !== type.crv)) {
    throw fail(`${label} is not a ${type.kty}${type.crv === undefined ? '' : ` ${type.crv}`} key, as ${alg} needs`)
  }
  if (typeof d !== 'string') {
    throw fail(`${label} is a public key only: the file holds private keys (hexauth keys generate prints one)`)
  }
  if (use !== undefined && use !== 'sig') {
    throw fail(`${label} has "use" ${JSON.stringify(use)}: signing keys are "sig"`)
  }
  if (kty === 'RSA' && rsaBits(jwk.n) < MIN_RSA_BITS) {
    throw fail(`${label} is an RSA key of ${rsaBits(jwk.n)} bits: at least ${MIN_RSA_BITS} are needed`)
  }
  if (!await pairMatches(jwk)) {
    throw fail(`${label} is not a valid key pair: its public parameters do not match its private key`)
  }
  return kid
}

/** Whether the private key signs what the public half verifies (an import checks the rest). */
async function pairMatches(jwk: JWK): Promise<boolean> {
  try {
    const [privateKey, publicKey] = await Promise.all([
      importJWK(jwk, jwk.alg),
      importJWK(publicPart(jwk) as JWK, jwk.alg),
    ]) as CryptoKey[]
    const algorithm = jwk.kty === 'EC' ? { name: 'ECDSA', hash: 'SHA-256' } : privateKey!.algorithm
    const signature = await crypto.subtle.sign(algorithm, privateKey!, PROBE)
    return await crypto.subtle.verify(algorithm, publicKey!, signature, PROBE)
  } catch {
    return false
  }
}

function rsaBits(n: unknown): number {
  if (typeof n !== 'string') return 0
  const bytes = Buffer.from(n, 'base64url')
  const first = bytes.findIndex((byte) => byte !== 0)
  return first < 0 ? 0 : (bytes.length - first) * 8 - Math.clz32(bytes[first]!) + 24
}

function fail(why: string): RangeError {
  return new RangeError(`Cannot read JWT_KEYS_FILE: ${why}`)
}
