import { createHash, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'

/** Shortest client secret accepted, in characters. */
export const MIN_CLIENT_SECRET_LENGTH = 32

const CLIENT_ID = /^[A-Za-z0-9_.-]{1,64}$/
// Printable ASCII but "," (the list separator) and space: what a generated secret is made of.
const CLIENT_SECRET = /^[\x21-\x2B\x2D-\x7E]+$/

/**
 * The resource servers allowed to call `/introspect` and `/revoke`, with their secrets. The
 * secrets sit in a private field: logging or serialising this object shows the ids only.
 */
export class Clients {
  readonly #secrets: ReadonlyMap<string, Uint8Array>
  // Compared against when the id is unknown, so an unknown id costs what a known one does.
  readonly #decoy = digest(crypto.randomUUID())

  constructor(secrets: ReadonlyMap<string, string>) {
    this.#secrets = new Map([...secrets].map(([id, secret]) => [id, digest(secret)]))
  }

  /** The configured client ids. */
  get ids(): readonly string[] {
    return [...this.#secrets.keys()]
  }

  /** Whether `secret` is the secret of client `id`, compared in constant time. */
  authenticate(id: string, secret: string): boolean {
    const expected = this.#secrets.get(id)
    // Both sides hashed: equal lengths, and nothing of the secret's length leaks.
    const same = timingSafeEqual(digest(secret), expected ?? this.#decoy)
    return same && expected !== undefined
  }

  /** What `JSON.stringify` (and so a log line) shows: the ids, never a secret. */
  toJSON(): { ids: readonly string[] } {
    return { ids: this.ids }
  }
}

function digest(text: string): Uint8Array {
  return createHash('sha256').update(text, 'utf8').digest()
}

/**
 * `CLIENTS` (or the content of `CLIENTS_FILE`): `id:secret` entries separated by commas or
 * new lines; in a file, lines starting with `#` are comments. Messages name the client, never
 * a secret.
 */
export const clientList = z.string().default('').transform((raw, ctx) => {
  const entries = raw.split(/[,\r\n]/).map((entry) => entry.trim()).filter((entry) =>
    entry !== '' && !entry.startsWith('#')
  )
  const secrets = new Map<string, string>()
  entries.forEach((entry, index) => {
    const problem = entryProblem(entry, secrets)
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `entry ${index + 1} ${problem}` })
    else secrets.set(entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1))
  })
  return new Clients(secrets)
})

function entryProblem(entry: string, seen: ReadonlyMap<string, string>): string | undefined {
  const colon = entry.indexOf(':')
  if (colon < 0) return 'is not "id:secret"'
  const id = entry.slice(0, colon)
  const secret = entry.slice(colon + 1)
  if (!CLIENT_ID.test(id)) return 'has an id that is not 1 to 64 letters, digits, "_", "." or "-"'
  if (seen.has(id)) return `repeats the client id "${id}"`
  if (secret.length < MIN_CLIENT_SECRET_LENGTH) {
    return `(client "${id}") has a secret shorter than ${MIN_CLIENT_SECRET_LENGTH} characters; generate one with \`openssl rand -hex 32\``
  }
  if (!CLIENT_SECRET.test(secret)) {
    return `(client "${id}") has a secret with a space, a comma or a character outside printable ASCII`
  }
  return undefined
}
