import { SignJWT } from 'jose'
import type { TokenIssuer } from '../../application/ports/token_issuer.ts'
import type { TokenClaims } from '../../domain/token_claims.ts'
import { JWT_ALGORITHM, JWT_TYP, type JwtSettings } from './jwt_settings.ts'

/** Signs tokens with jose, HS256. */
export class JoseTokenIssuer implements TokenIssuer {
  readonly #settings: JwtSettings

  constructor(settings: JwtSettings) {
    this.#settings = settings
  }

  sign(claims: TokenClaims): Promise<string> {
    const { key, issuer, audience } = this.#settings
    return new SignJWT({ type: claims.type, fresh: claims.fresh, is_admin: claims.isAdmin, fam: claims.fam })
      .setProtectedHeader({ alg: JWT_ALGORITHM, typ: JWT_TYP[claims.type] })
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(claims.iat)
      .setNotBefore(claims.nbf)
      .setExpirationTime(claims.exp)
      .setIssuer(issuer)
      .setAudience(audience)
      .sign(key)
  }
}
