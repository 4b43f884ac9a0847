import type { KeyStore } from '../../application/ports/key_store.ts'
import type { SigningKey } from '../../domain/signing_key.ts'

/**
 * Signing keys in this process's memory: the embedded default. They live and die with the
 * process, so tokens stop verifying at a restart and no other instance shares them.
 */
export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, SigningKey>()

  list(): Promise<readonly SigningKey[]> {
    return Promise.resolve(
      [...this.#keys.values()].sort((a, b) => a.generation - b.generation).map((key) => ({ ...key })),
    )
  }

  add(key: SigningKey): Promise<boolean> {
    const taken = this.#keys.has(key.kid) || [...this.#keys.values()].some((held) => held.generation === key.generation)
    if (!taken) this.#keys.set(key.kid, { ...key })
    return Promise.resolve(!taken)
  }

  remove(kid: string): Promise<void> {
    this.#keys.delete(kid)
    return Promise.resolve()
  }
}
