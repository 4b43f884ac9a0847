/** Shortest signing secret accepted, in bytes (RFC 7518 §3.2: at least the hash size). */
export const MIN_SECRET_BYTES = 32

/**
 * Secrets published in tutorials, framework defaults and hexauth's own documentation: never
 * accepted, whatever their length. A test holds every example secret the README and
 * `.env.example` show against this list.
 */
export const KNOWN_DEFAULT_SECRETS: readonly string[] = [
  'secret',
  'jwt-secret-string',
  'jwt-secret',
  'super-secret',
  'supersecret',
  'changeme',
  'change-me',
  'your-256-bit-secret',
  'your-secret-key',
  'secret-key',
  'my-secret',
  'mysecretkey',
  'jwt_secret',
  'secretkey',
  'default',
  'password',
  'keyboard cat',
  'please-change-this-secret-to-something-long-and-random',
  'change-this-to-a-long-random-secret-of-32-bytes-or-more',
  // Shown in earlier versions of hexauth's README.
  'a-test-secret-of-at-least-32-bytes-long',
]

/** Longest run of consecutive characters (`abcdef…`, `987654…`) a random secret plausibly holds. */
const MAX_RUN = 11

/**
 * Why `raw` is not acceptable as a signing secret, or `undefined` when it is: a published
 * default, too short, too few distinct characters, mostly one short pattern repeated, or a
 * long run of consecutive characters. These are the tells of a hand-typed secret; a
 * generated one (`openssl rand -base64 48`) has none of them. (A strength estimator such as
 * zxcvbn was measured: 42 MB and 360 ms at start, and it still rates the README's old example
 * at 10^35 guesses, so these direct checks are used instead.)
 */
export function secretProblem(raw: string): string | undefined {
  const bytes = new TextEncoder().encode(raw).byteLength
  const generate = 'generate one with `openssl rand -base64 48`'
  if (KNOWN_DEFAULT_SECRETS.includes(raw.trim().toLowerCase())) return `is a published default secret; ${generate}`
  if (bytes < MIN_SECRET_BYTES) return `must be at least ${MIN_SECRET_BYTES} bytes (got ${bytes}); ${generate}`
  if (new Set(raw).size < 8) return `is too repetitive to be a random secret; ${generate}`
  const repeated = /^(.{1,16}?)\1{2,}/su.exec(raw)?.[0].length ?? 0
  if (repeated * 2 >= raw.length) return `is mostly a short pattern repeated; ${generate}`
  if (longestRun(raw) > MAX_RUN) return `holds a long run of consecutive characters such as "abcdef"; ${generate}`
  return undefined
}

function longestRun(text: string): number {
  const codes = [...text].map((ch) => ch.codePointAt(0)!)
  let longest = 1
  for (const step of [1, -1]) {
    let run = 1
    for (let i = 1; i < codes.length; i++) {
      run = codes[i]! - codes[i - 1]! === step ? run + 1 : 1
      longest = Math.max(longest, run)
    }
  }
  return longest
}
