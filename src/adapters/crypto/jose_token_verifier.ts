import { base64url, errors, type JWTPayload, jwtVerify } from 'jose'
import type { TokenVerifier } from '../../application/ports/token_verifier.ts'
import { AuthError } from '../../domain/auth_error.ts'
import type { TokenClaims, TokenType } from '../../domain/token_claims.ts'
import type { UserId } from '../../domain/user.ts'
import { hasDuplicateKeys } from './json_duplicates.ts'
import { JWT_TYP, type JwtSettings } from './jwt_settings.ts'

/** Longest token accepted, in characters: ours are well under 1 KiB. */
export const MAX_TOKEN_LENGTH = 8192

// Header parameters hexauth issues. Anything else (jku, x5u, x5c, jwk, crit…) is refused
// before the signature is looked at, so no key is ever taken from a token or fetched.
const ALLOWED_HEADER = new Set(['alg', 'typ', 'kid'])
// Longest kid looked up: hexauth's are 43 characters (RFC 7638 thumbprints) or 16 (HS256).
const MAX_KID_LENGTH = 128
const REQUIRED_CLAIMS = ['sub', 'jti', 'iat', 'nbf', 'exp', 'iss', 'aud']
// Compact JWS in unpadded base64url only (RFC 7515 §2): no padding, no '+' or '/'.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Verifies tokens with jose: the key is the one the header's `kid` names among the keys held
 * (an unknown kid is `invalid_token`, never a fetch), with exactly that key's algorithm, the
 * expected `typ` and every claim.
 */
export class JoseTokenVerifier implements TokenVerifier {
  readonly #settings: JwtSettings

  constructor(settings: JwtSettings) {
    this.#settings = settings
  }

  async verify(token: string, type: TokenType): Promise<TokenClaims> {
    if (token.length > MAX_TOKEN_LENGTH) throw invalid(`it is longer than ${MAX_TOKEN_LENGTH} characters`)
    if (!COMPACT_JWS.test(token)) throw invalid('it is not a compact JWS in base64url')
    const { kid } = checkSegments(token)
    const { keys, issuer, audience, leewaySeconds, clock } = this.#settings
    if (kid !== undefined && (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH)) {
      throw invalid('its "kid" is not a key id')
    }
    const key = keys.find(kid)
    if (key === undefined) {
      throw invalid(kid === undefined ? 'its header names no key ("kid")' : 'its "kid" names no key of this issuer')
    }
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, key.verifying, {
        algorithms: [key.alg],
        typ: JWT_TYP[type],
        issuer,
        audience,
        requiredClaims: REQUIRED_CLAIMS,
        clockTolerance: leewaySeconds,
        currentDate: new Date(clock.now()),
      }))
    } catch (error) {
      throw translate(error)
    }
    return toClaims(payload, type)
  }
}

/**
 * Checks what jose does not: header parameters against the allowlist, and duplicate keys.
 * Answers the header.
 */
function checkSegments(token: string): Record<string, unknown> {
  const [headerText, payloadText] = token.split('.', 2).map(decodeSegment)
  let header: unknown
  try {
    header = JSON.parse(headerText!)
  } catch {
    throw invalid('its header is not valid')
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw invalid('its header is not valid')
  for (const name of Object.keys(header)) {
    if (!ALLOWED_HEADER.has(name)) throw invalid(`its header has the unsupported parameter "${name}"`)
  }
  try {
    if (hasDuplicateKeys(headerText!) || hasDuplicateKeys(payloadText!)) throw invalid('it repeats a key')
  } catch (error) {
    throw error instanceof AuthError ? error : invalid('its payload is not valid')
  }
  return header as Record<string, unknown>
}

function decodeSegment(segment: string): string {
  try {
    return decoder.decode(base64url.decode(segment))
  } catch {
    throw invalid('it is not valid base64url')
  }
}

function toClaims(payload: JWTPayload, type: TokenType): TokenClaims {
  const { sub, jti, iat, nbf, exp } = payload
  const {
    type: claimedType,
    fresh,
    is_admin: isAdmin,
    fam,
    preferred_username: preferredUsername,
    iat_ms: iatMs,
    csrf,
  } = payload as Record<string, unknown>
  if (claimedType !== type) throw invalid(`it is not ${type === 'access' ? 'an access' : 'a refresh'} token`)
  if (typeof sub !== 'string' || sub === '' || typeof jti !== 'string' || jti === '') {
    throw invalid('its "sub" or "jti" claim is missing or empty')
  }
  if (typeof fresh !== 'boolean' || typeof isAdmin !== 'boolean' || typeof fam !== 'string' || fam === '') {
    throw invalid('its "fresh", "is_admin" or "fam" claim is missing or malformed')
  }
  if (
    preferredUsername !== undefined &&
    (type !== 'access' || typeof preferredUsername !== 'string' || preferredUsername === '')
  ) {
    throw invalid('its "preferred_username" claim is malformed')
  }
  if (csrf !== undefined && (typeof csrf !== 'string' || csrf === '' || csrf.length > 128)) {
    throw invalid('its "csrf" claim is malformed')
  }
  // The exact issue time; tokens issued before it was added carry it in a fractional iat.
  if (iatMs !== undefined && !(Number.isSafeInteger(iatMs) && Math.floor((iatMs as number) / 1000) === iat)) {
    throw invalid('its "iat_ms" claim does not match its "iat"')
  }
  // jose checked that the times are numbers; requiredClaims that they are present.
  return {
    sub: sub as UserId,
    jti,
    type,
    iat: iatMs === undefined ? iat! : (iatMs as number) / 1000,
    nbf: nbf!,
    exp: exp!,
    fresh,
    isAdmin,
    fam,
    ...preferredUsername === undefined ? {} : { preferredUsername },
    ...csrf === undefined ? {} : { csrf: csrf as string },
  }
}

function translate(error: unknown): AuthError {
  if (error instanceof errors.JWTExpired) {
    return new AuthError('token_expired', 'Cannot authorize: the token has expired', { cause: error })
  }
  if (error instanceof errors.JOSEError) return invalid(reason(error), error)
  return invalid('it could not be verified', error)
}

function reason(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not match'
  if (error instanceof errors.JOSEAlgNotAllowed) return 'its algorithm is not allowed'
  if (error instanceof errors.JWTClaimValidationFailed) return `its "${error.claim}" claim is not valid`
  return 'it is malformed'
}

function invalid(why: string, cause?: unknown): AuthError {
  return new AuthError('invalid_token', `Cannot authorize: the token is invalid, ${why}`, { cause })
}
