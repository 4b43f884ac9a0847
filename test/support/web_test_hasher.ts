import type { PasswordHasher } from '../../src/application/ports/password_hasher.ts'

// What test_hasher.ts exports, on PBKDF2-SHA256 through WebCrypto, for runtimes where the
// argon2 addon does not load: deno.json maps test_hasher.ts here. Iteration counts are tiny,
// for speed; what the tests check (salted, verifiable, re-hash on a parameter change) holds
// for any count.

const PREFIX = '$pbkdf2-sha256$'
const ENCODED = /^\$pbkdf2-sha256\$i=(\d{1,9})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/
const encoder = new TextEncoder()

/** PBKDF2-SHA256 hashes in `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>` form (base64). */
export class Pbkdf2Hasher implements PasswordHasher {
  readonly #iterations: number

  constructor(iterations: number) {
    this.#iterations = iterations
  }

  async hash(password: string): Promise<string> {
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const derived = await derive(password, salt, this.#iterations)
    return `${PREFIX}i=${this.#iterations}$${toBase64(salt)}$${toBase64(derived)}`
  }

  async verify(encoded: string, password: string): Promise<boolean> {
    const match = ENCODED.exec(encoded)
    if (match === null || Number(match[1]) < 1) return false
    const expected = fromBase64(match[3]!)
    const derived = await derive(password, fromBase64(match[2]!), Number(match[1]))
    let difference = expected.length ^ derived.length
    for (let i = 0; i < derived.length; i++) difference |= derived[i]! ^ (expected[i] ?? 0)
    return difference === 0
  }

  needsRehash(encoded: string): boolean {
    return Number(ENCODED.exec(encoded)?.[1]) !== this.#iterations
  }
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits'])
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256))
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0))
}

/** What every hash the test hashers make starts with. */
export const TEST_HASH_PREFIX = PREFIX

/** A fragment that hashes made by {@linkcode createStrongerTestHasher} carry, and cheap ones lack. */
export const STRONGER_HASH_MARK = 'i=2000$'

/** The hasher the core tests run with: PBKDF2 with a cheap iteration count. */
export function createTestHasher(): PasswordHasher {
  return new Pbkdf2Hasher(1000)
}

/** A hasher of the same algorithm with more iterations, for re-hash tests. */
export function createStrongerTestHasher(): PasswordHasher {
  return new Pbkdf2Hasher(2000)
}
