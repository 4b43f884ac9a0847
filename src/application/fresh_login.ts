import type { CredentialsCheck } from './credentials_check.ts'
import type { TokenMinter } from './token_minter.ts'

/** Dependencies of {@linkcode FreshLogin}. */
export interface FreshLoginDeps {
  readonly credentials: CredentialsCheck
  readonly minter: TokenMinter
}

/** What a fresh login answers: a fresh access token and nothing else. */
export interface FreshLoginResult {
  readonly accessToken: string
}

/**
 * Re-checks the password for a fresh access token (for sensitive actions), without starting a
 * new refresh family.
 * @throws `invalid_request`, `invalid_credentials`
 */
export class FreshLogin {
  readonly #deps: FreshLoginDeps

  constructor(deps: FreshLoginDeps) {
    this.#deps = deps
  }

  async execute(body: unknown): Promise<FreshLoginResult> {
    const { credentials, minter } = this.#deps
    const user = await credentials.execute(body)
    const access = await minter.mint(user, 'access', { fresh: true, fam: minter.newFamily() })
    return { accessToken: access.token }
  }
}
