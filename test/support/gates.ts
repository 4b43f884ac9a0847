import type { PasswordHasher } from '../../src/application/ports/password_hasher.ts'
import type { TokenIssuer } from '../../src/application/ports/token_issuer.ts'
import type { TokenClaims } from '../../src/domain/token_claims.ts'
import type { User, UserId } from '../../src/domain/user.ts'
import type { Username } from '../../src/domain/username.ts'
import { MemoryUserRepository } from '../../src/adapters/memory/user_repository.ts'
import { createTestHasher } from './test_hasher.ts'

/**
 * A point a step of the code under test stops at until the test opens it: how tests
 * interleave concurrent work deterministically, with no sleeps. `reached` resolves once the
 * step has arrived.
 */
export class Gate {
  #arrive: () => void = () => {}
  #release: () => void = () => {}
  readonly reached = new Promise<void>((resolve) => {
    this.#arrive = resolve
  })
  readonly #opened = new Promise<void>((resolve) => {
    this.#release = resolve
  })

  /** What the gated step awaits: announces its arrival, then waits for {@linkcode open}. */
  async pass(): Promise<void> {
    this.#arrive()
    await this.#opened
  }

  /** Lets the step (and any later one) through. */
  open(): void {
    this.#release()
  }
}

/** One gate per call of a gated step, in call order, made on demand. */
export class Gates {
  readonly #gates: Gate[] = []
  #calls = 0
  #allOpen = false

  /** The gate of the `n`-th call (from 0). */
  at(n: number): Gate {
    while (this.#gates.length <= n) this.#gates.push(new Gate())
    return this.#gates[n]!
  }

  /** How many calls reached their gate. */
  get calls(): number {
    return this.#calls
  }

  /** What the gated step awaits on each call. */
  pass(): Promise<void> {
    const gate = this.at(this.#calls++)
    if (this.#allOpen) gate.open()
    return gate.pass()
  }

  /** Opens every gate, present and future. */
  openAll(): void {
    this.#allOpen = true
    for (const gate of this.#gates) gate.open()
  }
}

/** A real (cheap) hasher whose `verify` stops at a gate after hashing, when gates are set. */
export class GatedHasher implements PasswordHasher {
  readonly #inner: PasswordHasher
  /** When set, every verify stops at its gate before answering. */
  gates: Gates | undefined

  constructor(inner: PasswordHasher = createTestHasher()) {
    this.#inner = inner
  }

  hash(password: string): Promise<string> {
    return this.#inner.hash(password)
  }

  async verify(encoded: string, password: string): Promise<boolean> {
    const matches = await this.#inner.verify(encoded, password)
    await this.gates?.pass()
    return matches
  }

  needsRehash(encoded: string): boolean {
    return this.#inner.needsRehash(encoded)
  }
}

/** Users in memory whose look-ups stop at a gate after reading, when gates are set. */
export class GatedUsers extends MemoryUserRepository {
  /** When set, every `findById` and `findByUsername` stops at its gate before answering. */
  gates: Gates | undefined

  override async findById(id: UserId): Promise<User | undefined> {
    const user = await super.findById(id)
    await this.gates?.pass()
    return user
  }

  override async findByUsername(username: Username): Promise<User | undefined> {
    const user = await super.findByUsername(username)
    await this.gates?.pass()
    return user
  }

  /** When set, `delete` stops at it before deleting. */
  deleteGate: Gate | undefined

  override async delete(username: Username): Promise<User | undefined> {
    await this.deleteGate?.pass()
    return super.delete(username)
  }
}

/** A token issuer whose `sign` stops at a gate first, when gates are set. */
export class GatedIssuer implements TokenIssuer {
  readonly #inner: TokenIssuer
  gates: Gates | undefined

  constructor(inner: TokenIssuer) {
    this.#inner = inner
  }

  async sign(claims: TokenClaims): Promise<string> {
    await this.gates?.pass()
    return this.#inner.sign(claims)
  }
}
