import type { Clock } from '../../src/application/ports/clock.ts'
import type {
  EarlierUse,
  RevocationQuery,
  RevocationStore,
  Rotation,
} from '../../src/application/ports/revocation_store.ts'
import { MemoryRevocationStore } from '../../src/adapters/memory/revocation_store.ts'
import { AuthError } from '../../src/domain/auth_error.ts'

/** A memory blocklist that answers like a down Redis (`service_unavailable`) while `down` is set. */
export class SwitchableRevocationStore implements RevocationStore {
  down = false
  readonly #inner: MemoryRevocationStore

  constructor(clock: Clock) {
    this.#inner = new MemoryRevocationStore({ clock })
  }

  #guard(): void {
    if (this.down) throw new AuthError('service_unavailable', 'Cannot check revocations: the store is down')
  }

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    this.#guard()
    await this.#inner.revokeToken(jti, expiresAt)
  }

  async revokeFamily(fam: string, expiresAt: number): Promise<void> {
    this.#guard()
    await this.#inner.revokeFamily(fam, expiresAt)
  }

  async revokeSubject(sub: string, issuedUpTo: number, expiresAt: number): Promise<void> {
    this.#guard()
    await this.#inner.revokeSubject(sub, issuedUpTo, expiresAt)
  }

  async retire(jti: string, rotation: Rotation): Promise<EarlierUse | undefined> {
    this.#guard()
    return await this.#inner.retire(jti, rotation)
  }

  async isRevoked(query: RevocationQuery): Promise<boolean> {
    this.#guard()
    return await this.#inner.isRevoked(query)
  }
}
