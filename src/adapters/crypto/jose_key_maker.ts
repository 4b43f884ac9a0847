import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import type { KeyMaker, NewKey, OpenedKey } from '../../application/ports/key_maker.ts'
import type { AsymmetricAlgorithm, PublicJwk, SigningKey } from '../../domain/signing_key.ts'

/** Options of {@linkcode JoseKeyMaker}. */
export interface JoseKeyMakerOptions {
  /**
   * The secret private keys are sealed under (`KEY_ENCRYPTION_SECRET`), at least 32 bytes;
   * `undefined`: a random one for this process (keys in memory, or read from a key file).
   */
  readonly secret: Uint8Array<ArrayBuffer> | undefined
}

/** The public parameters of each key type (RFC 7518 §6): all a published or stored public key holds. */
const PUBLIC_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
  RSA: ['kty', 'n', 'e'],
}

const SEALED = /^A256GCM\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]+)$/
const encoder = new TextEncoder()

/**
 * Generates ES256, EdDSA (Ed25519) and RS256 (2048-bit) key pairs with jose and seals their
 * private JWKs with AES-256-GCM (WebCrypto) under a key derived from the secret by
 * HKDF-SHA-256. The kid and alg are the additional data, so a sealed key moved to another
 * record does not open; the public key is taken from the sealed private key, never from the
 * record, so a record whose public key was swapped is refused.
 */
export class JoseKeyMaker implements KeyMaker {
  readonly #key: Promise<CryptoKey>
  readonly #configured: boolean

  constructor(options: JoseKeyMakerOptions) {
    if (options.secret !== undefined && options.secret.byteLength < 32) {
      throw new RangeError('Cannot seal signing keys: KEY_ENCRYPTION_SECRET must be at least 32 bytes')
    }
    this.#configured = options.secret !== undefined
    this.#key = deriveSealingKey(options.secret ?? crypto.getRandomValues(new Uint8Array(32)))
  }

  async generate(alg: AsymmetricAlgorithm): Promise<NewKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, {
      extractable: true,
      ...alg === 'RS256' ? { modulusLength: 2048 } : {},
    })
    const publicJwk = publicPart(await exportJWK(publicKey))
    const kid = await calculateJwkThumbprint(publicJwk as JWK, 'sha256')
    return { kid, alg, publicJwk, sealed: await this.seal(await exportJWK(privateKey), kid, alg) }
  }

  /** Seals a private JWK for the record of `kid` and `alg` (a key file's keys, held in memory). */
  async seal(privateJwk: JWK, kid: string, alg: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const plaintext = encoder.encode(JSON.stringify(privateJwk))
    const ciphertext = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: aad(kid, alg) },
      await this.#key,
      plaintext,
    )
    return `A256GCM.${base64url.encode(iv)}.${base64url.encode(new Uint8Array(ciphertext))}`
  }

  async open(key: SigningKey): Promise<OpenedKey> {
    const privateJwk = await this.#unseal(key)
    const derived = publicPart(privateJwk)
    if (JSON.stringify(derived) !== JSON.stringify(publicPart(key.publicJwk as JWK))) {
      throw new RangeError(
        `Cannot open signing key ${key.kid}: its stored public key is not the public half of its private key`,
      )
    }
    const [privateKey, publicKey] = await Promise.all([
      importJWK(privateJwk, key.alg),
      importJWK(derived as JWK, key.alg),
    ])
    return { privateKey: privateKey as CryptoKey, publicKey: publicKey as CryptoKey }
  }

  async #unseal(key: SigningKey): Promise<JWK> {
    const match = SEALED.exec(key.sealed)
    let plaintext: ArrayBuffer | undefined
    if (match !== null) {
      const [iv, ciphertext] = [
        new Uint8Array(base64url.decode(match[1]!)),
        new Uint8Array(base64url.decode(match[2]!)),
      ]
      plaintext = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: aad(key.kid, key.alg) },
        await this.#key,
        ciphertext,
      )
        .catch(() => undefined)
    }
    if (plaintext === undefined) {
      const why = this.#configured
        ? 'it was sealed under another KEY_ENCRYPTION_SECRET, or its record was altered; start with the secret that sealed it'
        : 'it was sealed under a KEY_ENCRYPTION_SECRET and none is set'
      throw new RangeError(`Cannot open signing key ${key.kid}: ${why}`)
    }
    return JSON.parse(new TextDecoder().decode(plaintext)) as JWK
  }
}

/** The public parameters of `jwk`, in a fixed order; throws for a key type hexauth does not use. */
export function publicPart(jwk: JWK): PublicJwk {
  const names = PUBLIC_PARAMETERS[jwk.kty ?? '']
  if (names === undefined) {
    throw new RangeError(`Cannot use a key of type ${JSON.stringify(jwk.kty)}: only EC, OKP and RSA keys are supported`)
  }
  return Object.fromEntries(names.map((name) => [name, (jwk as Record<string, unknown>)[name]])) as unknown as PublicJwk
}

function aad(kid: string, alg: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify(['hexauth signing key', kid, alg]))
}

async function deriveSealingKey(secret: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: encoder.encode('hexauth'),
      info: encoder.encode('signing key encryption, v1'),
    },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}
