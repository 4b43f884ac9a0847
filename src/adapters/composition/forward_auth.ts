import type { ServiceIdentifier } from 'inversify'
import { IntrospectToken } from '../../application/introspect_token.ts'
import { Clock } from '../../application/ports/clock.ts'
import { RevocationStore } from '../../application/ports/revocation_store.ts'
import { TokenVerifier } from '../../application/ports/token_verifier.ts'
import { UserRepository } from '../../application/ports/user_repository.ts'
import { RevokeAnyToken } from '../../application/revoke_any_token.ts'
import { TokenIdentity } from '../../application/token_identity.ts'
import type { TokenPolicy as TokenPolicyValue } from '../../application/token_minter.ts'
import type { IntrospectionRoutesDeps } from '../http/introspection_routes.ts'
import type { Capability } from './capability.ts'
import { TokenPolicy } from './ids.ts'

/** Injection token of what `/introspect` and `/revoke` need, gathered for the HTTP adapter. */
export const IntrospectionHttp: ServiceIdentifier<IntrospectionRoutesDeps> = Symbol('IntrospectionHttp')

/**
 * The other services of a stack (issue 14): introspection and revocation by the resource
 * servers of `CLIENTS` (`/auth/verify` needs only `CheckClaims`, bound with the accounts).
 */
export const forwardAuth: Capability = ({ bind }, { config }) => {
  bind(TokenIdentity).toResolvedValue((verifier: TokenVerifier) => new TokenIdentity({ verifier }), [TokenVerifier])
  bind(IntrospectToken).toResolvedValue(
    (identity: TokenIdentity, revocations: RevocationStore, users: UserRepository) =>
      new IntrospectToken({ identity, revocations, users }),
    [TokenIdentity, RevocationStore, UserRepository],
  )
  bind(RevokeAnyToken).toResolvedValue(
    (identity: TokenIdentity, revocations: RevocationStore, clock: Clock, policy: TokenPolicyValue) =>
      new RevokeAnyToken({ identity, revocations, clock, policy }),
    [TokenIdentity, RevocationStore, Clock, TokenPolicy],
  )
  bind(IntrospectionHttp).toResolvedValue((introspectToken: IntrospectToken, revokeAnyToken: RevokeAnyToken) => ({
    clients: config.clients,
    introspectToken,
    revokeAnyToken,
    tokenAudience: { issuer: config.jwtIssuer, audience: config.jwtAudience },
  }), [IntrospectToken, RevokeAnyToken])
}
