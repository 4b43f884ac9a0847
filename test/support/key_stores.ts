import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { MemoryKeyStore } from '../../src/adapters/memory/key_store.ts'
import type { KeyStore } from '../../src/application/ports/key_store.ts'
import { AuthError } from '../../src/domain/auth_error.ts'
import type { SigningKey } from '../../src/domain/signing_key.ts'
import type { Gates } from './gates.ts'

/** A key store whose `add` stops at a gate first, when gates are set: instances racing. */
export class GatedKeyStore implements KeyStore {
  readonly #inner: KeyStore
  /** When set, every `add` stops at its gate before it reaches the store. */
  gates: Gates | undefined

  constructor(inner: KeyStore = new MemoryKeyStore()) {
    this.#inner = inner
  }

  list(): Promise<readonly SigningKey[]> {
    return this.#inner.list()
  }

  async add(key: SigningKey): Promise<boolean> {
    await this.gates?.pass()
    return this.#inner.add(key)
  }

  remove(kid: string): Promise<void> {
    return this.#inner.remove(kid)
  }
}

/** A key store that answers from another until `down` is set, then `service_unavailable`. */
export class SwitchableKeyStore implements KeyStore {
  readonly #inner: KeyStore
  down = false
  /** How many calls reached the inner store. */
  calls = 0

  constructor(inner: KeyStore = new MemoryKeyStore()) {
    this.#inner = inner
  }

  list(): Promise<readonly SigningKey[]> {
    return this.#call(() => this.#inner.list())
  }

  add(key: SigningKey): Promise<boolean> {
    return this.#call(() => this.#inner.add(key))
  }

  remove(kid: string): Promise<void> {
    return this.#call(() => this.#inner.remove(kid))
  }

  #call<T>(run: () => Promise<T>): Promise<T> {
    if (this.down) return Promise.reject(new AuthError('service_unavailable', 'Cannot reach the key store: it is down'))
    this.calls++
    return run()
  }
}

/** A private JWK as `hexauth keys generate` prints it, for key files. */
export async function privateJwk(
  alg: 'ES256' | 'EdDSA' | 'RS256' = 'ES256',
  kid: string = crypto.randomUUID(),
): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return { ...await exportJWK(privateKey), kid, alg, use: 'sig' }
}
