import type { Clock } from '../../application/ports/clock.ts'
import type { SigningKeys } from '../../application/ports/signing_keys.ts'
import type { TokenType } from '../../domain/token_claims.ts'

/** What the jose issuer and verifier share. */
export interface JwtSettings {
  /** The keys, held in memory: the issuer signs with the current one, the verifier picks by kid. */
  readonly keys: SigningKeys
  /** `iss` of every token. @default "hexauth" (or `PUBLIC_URL`) */
  readonly issuer: string
  /** `aud` of every token. @default "hexauth" */
  readonly audience: string
  /** Clock skew tolerated on `exp` and `nbf`, in seconds. @default 5 */
  readonly leewaySeconds: number
  readonly clock: Clock
}

/** Header `typ` per token type: RFC 9068's for access tokens, so neither passes as the other. */
export const JWT_TYP: Readonly<Record<TokenType, string>> = {
  access: 'at+jwt',
  refresh: 'refresh+jwt',
}

/** Imports an HS256 secret as a non-extractable WebCrypto key. */
export function importHmacKey(secret: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  if (secret.byteLength < 32) throw new RangeError('Cannot import HMAC key: it must be at least 32 bytes')
  return crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
}
