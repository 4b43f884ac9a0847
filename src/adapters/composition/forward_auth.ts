import type { Container, ServiceIdentifier } from 'inversify'
import { IntrospectToken } from '../../application/introspect_token.ts'
import { RevocationStore } from '../../application/ports/revocation_store.ts'
import { TokenVerifier } from '../../application/ports/token_verifier.ts'
import { UserRepository } from '../../application/ports/user_repository.ts'
import { Clock } from '../../application/ports/clock.ts'
import { RevokeAnyToken } from '../../application/revoke_any_token.ts'
import { TokenIdentity } from '../../application/token_identity.ts'
import type { TokenPolicy as TokenPolicyValue } from '../../application/token_minter.ts'
import type { Config } from '../config.ts'
import type { IntrospectionRoutesDeps } from '../http/introspection_routes.ts'

/** Injection token of what `/introspect` and `/revoke` need, gathered for the HTTP adapter. */
export const IntrospectionHttp: ServiceIdentifier<IntrospectionRoutesDeps> = Symbol('IntrospectionHttp')

/** Every token {@linkcode bindForwardAuth} binds. */
export const FORWARD_AUTH_SERVICE_IDS: readonly ServiceIdentifier<unknown>[] = [TokenIdentity, IntrospectToken, RevokeAnyToken, IntrospectionHttp]

/**
 * Binds the use cases of the other services of a stack (introspection and revocation by
 * resource servers; `/auth/verify` needs only `CheckClaims`) and the clients of `CLIENTS`.
 * `policy` is the container's token-lifetime binding.
 */
export function bindForwardAuth(c: Container, config: Config, policy: ServiceIdentifier<TokenPolicyValue>): void {
  c.bind(TokenIdentity).toResolvedValue((verifier: TokenVerifier) => new TokenIdentity({ verifier }), [TokenVerifier])
  c.bind(IntrospectToken).toResolvedValue(
    (identity: TokenIdentity, revocations: RevocationStore, users: UserRepository) => new IntrospectToken({ identity, revocations, users }),
    [TokenIdentity, RevocationStore, UserRepository])
  c.bind(RevokeAnyToken).toResolvedValue(
    (identity: TokenIdentity, revocations: RevocationStore, clock: Clock, p: TokenPolicyValue) =>
      new RevokeAnyToken({ identity, revocations, clock, policy: p }),
    [TokenIdentity, RevocationStore, Clock, policy])
  c.bind(IntrospectionHttp).toResolvedValue((introspectToken: IntrospectToken, revokeAnyToken: RevokeAnyToken) => ({
    clients: config.clients,
    introspectToken,
    revokeAnyToken,
    tokenAudience: { issuer: config.jwtIssuer, audience: config.jwtAudience },
  }), [IntrospectToken, RevokeAnyToken])
}
