import type { ServiceIdentifier } from 'inversify'
import { CheckClaims } from '../../application/check_claims.ts'
import { CreateItem } from '../../application/create_item.ts'
import { DeleteAllUsers } from '../../application/delete_all_users.ts'
import { DeleteItem } from '../../application/delete_item.ts'
import { DeleteUser } from '../../application/delete_user.ts'
import { FreshLogin } from '../../application/fresh_login.ts'
import { GetItem } from '../../application/get_item.ts'
import { ListItems } from '../../application/list_items.ts'
import { ListUsers } from '../../application/list_users.ts'
import { Login } from '../../application/login.ts'
import { SigningKeys } from '../../application/ports/signing_keys.ts'
import { RefreshAccess } from '../../application/refresh_access.ts'
import { RegisterUser } from '../../application/register_user.ts'
import { RevokeToken } from '../../application/revoke_token.ts'
import type { Config as ConfigValue } from '../config.ts'
import { createHttpApp, type HttpDeps as HttpDepsValue } from '../http/app.ts'
import type { IntrospectionRoutesDeps } from '../http/introspection_routes.ts'
import type { BrowserOptions, BrowserRoutesDeps } from '../http/browser_routes.ts'
import { InFlightRequests } from '../http/in_flight.ts'
import { Metrics as MetricsValue } from '../http/metrics.ts'
import type { ReadinessProbe } from '../http/readiness.ts'
import type { RevocationFeed } from '../redis/revocation_feed.ts'
import type { Capability } from './capability.ts'
import { BrowserHttp } from './browser.ts'
import { IntrospectionHttp } from './forward_auth.ts'
import { Config, Feed, Health, HttpApp, HttpDeps, InFlight, Limits, Logger, Metrics, Probe, Probes } from './ids.ts'

/** The dependencies the browser capability and the others both provide (resolved once, the same singletons). */
type AccountLikeDeps = Pick<HttpDepsValue, 'checkClaims' | 'revokeToken' | 'limits' | 'health'>

/** The inbound HTTP adapter: metrics, readiness, the in-flight counter, and the Koa app over every use case it serves. */
export const http: Capability = ({ bind }) => {
  bind(InFlight).toConstantValue(new InFlightRequests())
  bind(Metrics).toResolvedValue((inFlight: InFlightRequests, feed: RevocationFeed | undefined) => {
    const metrics = new MetricsValue()
    metrics.watchInFlight(inFlight)
    if (feed !== undefined) metrics.watchNearCache(feed)
    return metrics
  }, [InFlight, { serviceIdentifier: Feed, optional: true }])
  // Each store module bound its own probe, if it has a store to probe.
  bind(Probes).toResolvedValue((probes: ReadinessProbe[] | undefined) => probes ?? [], [{
    serviceIdentifier: Probe,
    isMultiple: true,
    optional: true,
  }])
  const [gather, from] = record<
    Omit<
      HttpDepsValue,
      | 'options'
      | 'wellKnown'
      | 'browserOptions'
      | keyof IntrospectionRoutesDeps
      | Exclude<keyof BrowserRoutesDeps, keyof AccountLikeDeps>
    >
  >({
    logger: Logger,
    limits: Limits,
    health: Health,
    metrics: Metrics,
    inFlight: InFlight,
    probes: Probes,
    signingKeys: SigningKeys,
    registerUser: RegisterUser,
    login: Login,
    freshLogin: FreshLogin,
    refreshAccess: RefreshAccess,
    revokeToken: RevokeToken,
    checkClaims: CheckClaims,
    listUsers: ListUsers,
    deleteUser: DeleteUser,
    deleteAllUsers: DeleteAllUsers,
    listItems: ListItems,
    getItem: GetItem,
    createItem: CreateItem,
    deleteItem: DeleteItem,
  })
  bind(HttpDeps).toResolvedValue(
    (
      config: ConfigValue,
      introspection: IntrospectionRoutesDeps,
      browser: BrowserRoutesDeps & { browserOptions: BrowserOptions },
      ...values: unknown[]
    ) => ({
      ...gather(values),
      ...introspection,
      ...browser, // issue 15: self-service routes and cookie mode (composition/browser.ts)
      options: { trustProxy: config.trustProxy, corsOrigins: config.corsOrigins },
      wellKnown: {
        issuer: config.jwtIssuer,
        publicUrl: config.keys.publicUrl,
        jwksMaxAgeSeconds: config.keys.jwksMaxAgeSeconds,
      },
    }),
    [Config, IntrospectionHttp, BrowserHttp, ...from],
  )
  bind(HttpApp).toResolvedValue((deps: HttpDepsValue) => createHttpApp(deps), [HttpDeps])
}

/**
 * An object resolved field by field: `[gather, ids]`, where the factory given `ids` resolves
 * the values in order and `gather(values)` names them back.
 */
function record<T extends object>(
  shape: { readonly [K in keyof T]-?: ServiceIdentifier<T[K]> },
): [(values: readonly unknown[]) => T, ServiceIdentifier[]] {
  const keys = Object.keys(shape) as (keyof T)[]
  const gather = (values: readonly unknown[]) => Object.fromEntries(keys.map((key, i) => [key, values[i]])) as T
  return [gather, keys.map((key) => shape[key] as ServiceIdentifier)]
}
