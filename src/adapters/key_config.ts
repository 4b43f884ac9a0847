import type { KeyAlgorithm } from '../domain/signing_key.ts'

/** How tokens are signed, from `JWT_ALGORITHM`, `JWT_SECRET`, `JWT_KEYS_FILE` and the key variables. */
export interface KeyConfig {
  /**
   * `managed`: key pairs hexauth generates and rotates (in MongoDB with `MONGO_URL`, else in
   * memory); `file`: the keys of `JWT_KEYS_FILE`; `hs256`: one shared secret (`JWT_SECRET`).
   */
  readonly mode: 'managed' | 'file' | 'hs256'
  /** The algorithm of managed keys, or HS256. @default "ES256" */
  readonly algorithm: KeyAlgorithm
  /** HS256 chosen only because `JWT_SECRET` is set: the start-up warning says what it costs. */
  readonly secretOnly: boolean
  /** How long a managed key signs. @default 30 days */
  readonly rotationSeconds: number
  /** How long a managed key is published before it signs. @default 2 hours */
  readonly prepublishSeconds: number
  /** How often every instance re-reads the key store. @default 60 */
  readonly refreshSeconds: number
  /** The secret private keys are encrypted under at rest (`KEY_ENCRYPTION_SECRET`). */
  readonly encryptionSecret: Uint8Array<ArrayBuffer> | undefined
  /** The JWK Set of private keys, in file mode. */
  readonly keysFile: string | undefined
  /** The external base URL, without a trailing slash: the metadata's URLs derive from it. */
  readonly publicUrl: string | undefined
  /** `max-age` of the JWKS, in seconds. @default 300 */
  readonly jwksMaxAgeSeconds: number
}

/** The key variables as the configuration schema parses them. */
export interface KeyVariables {
  readonly JWT_ALGORITHM?: KeyAlgorithm | undefined
  readonly JWT_SECRET?: Uint8Array<ArrayBuffer> | undefined
  readonly JWT_KEY_ROTATION: number
  readonly JWT_KEY_PREPUBLISH: number
  readonly JWT_KEY_REFRESH: number
  readonly KEY_ENCRYPTION_SECRET?: Uint8Array<ArrayBuffer> | undefined
  readonly JWT_KEYS_FILE?: string | undefined
  readonly PUBLIC_URL?: string | undefined
  readonly JWKS_MAX_AGE: number
  readonly MONGO_URL?: string | undefined
}

/** One problem with the key variables: the variable to name and what is wrong. */
export interface KeyProblem {
  readonly variable: string
  readonly message: string
}

/** The JWKS may be cached at most this fraction of the pre-publication period. */
const MAX_AGE_SHARE = 4

/** Every way the key variables disagree with each other (each alone was already validated). */
export function keyProblems(v: KeyVariables): KeyProblem[] {
  const problems: KeyProblem[] = []
  const asymmetric = v.JWT_ALGORITHM !== undefined && v.JWT_ALGORITHM !== 'HS256'
  if (v.JWT_SECRET !== undefined && asymmetric) {
    problems.push({
      variable: 'JWT_SECRET',
      message:
        `is set and JWT_ALGORITHM is ${v.JWT_ALGORITHM}: a shared secret signs HS256 only; unset JWT_SECRET for ${v.JWT_ALGORITHM} keys, or set JWT_ALGORITHM=HS256`,
    })
  }
  if (v.JWT_KEYS_FILE !== undefined && (v.JWT_SECRET !== undefined || v.JWT_ALGORITHM !== undefined)) {
    const other = v.JWT_SECRET !== undefined ? 'JWT_SECRET' : 'JWT_ALGORITHM'
    problems.push({
      variable: 'JWT_KEYS_FILE',
      message: `is set and ${other} is too: the file's keys carry their own algorithm; unset ${other}`,
    })
  }
  if (modeOf(v) !== 'managed') return problems
  if (v.MONGO_URL !== undefined && v.KEY_ENCRYPTION_SECRET === undefined) {
    problems.push({
      variable: 'KEY_ENCRYPTION_SECRET',
      message:
        'is required with MONGO_URL: the private signing keys are stored in MongoDB encrypted under it; generate one with `openssl rand -base64 48`',
    })
  }
  if (v.JWT_KEY_ROTATION <= v.JWT_KEY_PREPUBLISH) {
    problems.push({
      variable: 'JWT_KEY_ROTATION',
      message: `must be longer than JWT_KEY_PREPUBLISH (${v.JWT_KEY_PREPUBLISH}s)`,
    })
  }
  if (v.JWT_KEY_PREPUBLISH <= v.JWT_KEY_REFRESH) {
    problems.push({
      variable: 'JWT_KEY_PREPUBLISH',
      message:
        `must be longer than JWT_KEY_REFRESH (${v.JWT_KEY_REFRESH}s): every instance must hold a new key before any signs with it`,
    })
  }
  if (v.JWKS_MAX_AGE * MAX_AGE_SHARE > v.JWT_KEY_PREPUBLISH) {
    problems.push({
      variable: 'JWKS_MAX_AGE',
      message:
        `must be at most a quarter of JWT_KEY_PREPUBLISH (${v.JWT_KEY_PREPUBLISH}s), so caches hold a new key before it signs`,
    })
  }
  return problems
}

/** The {@linkcode KeyConfig} of variables that {@linkcode keyProblems} found nothing wrong with. */
export function keyConfig(v: KeyVariables): KeyConfig {
  return {
    mode: modeOf(v),
    algorithm: v.JWT_ALGORITHM ?? (v.JWT_SECRET === undefined ? 'ES256' : 'HS256'),
    secretOnly: v.JWT_SECRET !== undefined && v.JWT_ALGORITHM === undefined,
    rotationSeconds: v.JWT_KEY_ROTATION,
    prepublishSeconds: v.JWT_KEY_PREPUBLISH,
    refreshSeconds: v.JWT_KEY_REFRESH,
    encryptionSecret: v.KEY_ENCRYPTION_SECRET,
    keysFile: v.JWT_KEYS_FILE,
    publicUrl: v.PUBLIC_URL,
    jwksMaxAgeSeconds: v.JWKS_MAX_AGE,
  }
}

function modeOf(v: KeyVariables): KeyConfig['mode'] {
  if (v.JWT_KEYS_FILE !== undefined) return 'file'
  return v.JWT_ALGORITHM === 'HS256' || (v.JWT_ALGORITHM === undefined && v.JWT_SECRET !== undefined)
    ? 'hs256'
    : 'managed'
}

/**
 * `PUBLIC_URL` as hexauth uses it, or why it cannot: an absolute http(s) URL with no query,
 * fragment or credentials, its trailing slash dropped (`https://auth.example.com`).
 */
export function parsePublicUrl(raw: string): string | { readonly problem: string } {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { problem: 'must be an absolute URL such as https://auth.example.com' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: 'must be an http or https URL such as https://auth.example.com' }
  }
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) {
    return { problem: 'must have no query or fragment' }
  }
  if (url.username !== '' || url.password !== '') return { problem: 'must carry no user or password' }
  return url.href.replace(/\/+$/, '')
}

/** The common verifiers' JWKS caches: a pre-publication shorter than the longest risks refusals. */
const LONGEST_VERIFIER_CACHE_SECONDS = 3600

/** What the start-up log should warn about the key configuration (`jwtSecretSet`: `JWT_SECRET` given). */
export function keyWarnings(keys: KeyConfig, jwtSecretSet: boolean): string[] {
  if (keys.mode === 'hs256' && keys.secretOnly) {
    return [
      'JWT_SECRET is set and JWT_ALGORITHM is not: signing HS256 with the shared secret, as before. Every service that verifies these tokens needs JWT_SECRET, and whoever holds it can mint tokens for anyone, admins included; unset it for ES256 keys published at /.well-known/jwks.json (README, "Keys and verifying hexauth\'s tokens elsewhere")',
    ]
  }
  if (keys.mode === 'hs256' && !jwtSecretSet) {
    return [
      'JWT_SECRET is not set: using a random HS256 key for this process; tokens stop working at restart and are not shared between instances',
    ]
  }
  if (keys.mode === 'managed' && keys.prepublishSeconds < LONGEST_VERIFIER_CACHE_SECONDS) {
    return [
      `JWT_KEY_PREPUBLISH is ${keys.prepublishSeconds}s, shorter than common verifiers cache a JWKS (PyJWT 5 min, jose 10 min, Go keyfunc 1 h): such a verifier may refuse tokens of a new key until its cache expires`,
    ]
  }
  return []
}
