import { SignJWT } from 'jose'
import type { TokenIssuer } from '../../application/ports/token_issuer.ts'
import type { TokenClaims } from '../../domain/token_claims.ts'
import { JWT_TYP, type JwtSettings } from './jwt_settings.ts'

/**
 * Signs tokens with jose, with the current key of the ring: its algorithm, its kid in the
 * header. `iat` is written in whole seconds, as verifiers that compare it with an integer
 * clock expect (PyJWT before 2.10 refuses a fractional `iat` for the rest of its second);
 * `iat_ms` carries the exact time in milliseconds, for hexauth's revocation checks.
 */
export class JoseTokenIssuer implements TokenIssuer {
  readonly #settings: JwtSettings

  constructor(settings: JwtSettings) {
    this.#settings = settings
  }

  sign(claims: TokenClaims): Promise<string> {
    const { keys, issuer, audience } = this.#settings
    const key = keys.current()
    const payload = {
      type: claims.type,
      fresh: claims.fresh,
      is_admin: claims.isAdmin,
      fam: claims.fam,
      iat_ms: Math.round(claims.iat * 1000),
      ...claims.preferredUsername === undefined ? {} : { preferred_username: claims.preferredUsername },
      ...claims.csrf === undefined ? {} : { csrf: claims.csrf },
    }
    return new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, typ: JWT_TYP[claims.type], kid: key.kid })
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(Math.floor(claims.iat))
      .setNotBefore(claims.nbf)
      .setExpirationTime(claims.exp)
      .setIssuer(issuer)
      .setAudience(audience)
      .sign(key.signing)
  }
}
