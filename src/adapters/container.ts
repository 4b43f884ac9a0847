import { Container, type ServiceIdentifier } from 'inversify'
import { Clock } from '../application/ports/clock.ts'
import type { ItemRepository } from '../application/ports/item_repository.ts'
import { KeyStore } from '../application/ports/key_store.ts'
import type { PasswordHasher } from '../application/ports/password_hasher.ts'
import type { RevocationStore } from '../application/ports/revocation_store.ts'
import type { UserRepository } from '../application/ports/user_repository.ts'
import type { SessionStore } from '../application/ports/session_store.ts'
import { browser } from './composition/browser.ts'
import { type Capability, capabilityModule, type CompositionContext } from './composition/capability.ts'
import { forwardAuth } from './composition/forward_auth.ts'
import { http } from './composition/http.ts'
import { Config, Health, Logger } from './composition/ids.ts'
import { tokens } from './composition/keys.ts'
import { limits, revocationStore, userStores } from './composition/stores.ts'
import { accounts, administration, items } from './composition/use_cases.ts'
import type { Config as ConfigValue } from './config.ts'
import type { AuthLimits } from './http/rate_limits.ts'
import type { Logger as LoggerValue } from './logger.ts'
import { StoreHealth } from './store_health.ts'
import { SystemClock } from './system_clock.ts'

export * from './composition/ids.ts'

/** Ready-made adapters that replace the configured ones (tests, embedders). */
export interface ContainerOverrides {
  readonly clock?: Clock
  readonly users?: UserRepository
  readonly items?: ItemRepository
  readonly revocations?: RevocationStore
  readonly hasher?: PasswordHasher
  readonly limits?: AuthLimits
  /** The managed keys' store (instances sharing one, a tampered one). */
  readonly keyStore?: KeyStore
  /** The login sessions' store. */
  readonly sessions?: SessionStore
}

/** The application's one composition root: every binding is a singleton. */
export type AppContainer = Container

/** What every capability stands on: the configuration, the logger, the clock, the stores' health. */
const runtime: Capability = ({ bind }, { overrides }) => {
  bind(Clock).toConstantValue(overrides.clock ?? new SystemClock())
  bind(Health).toResolvedValue((logger: LoggerValue, clock: Clock) => new StoreHealth({ logger, clock }), [
    Logger,
    Clock,
  ])
}

/**
 * The capabilities, each in its own module under `composition/`, in load order: where a rule
 * of wiring lives is one hop from here.
 */
export const CAPABILITIES: readonly Capability[] = [
  runtime, // clock, store health
  userStores, // composition/stores.ts: users and items (MongoDB or memory)
  revocationStore, // composition/stores.ts: the blocklist (Redis, near-cache, or memory)
  limits, // composition/stores.ts: brute-force limiters
  tokens, // composition/keys.ts: signing keys, issuer, verifier, lifetimes
  accounts, // composition/use_cases.ts: register, login, refresh, revoke, claims
  administration, // composition/use_cases.ts: users' administration
  items, // composition/use_cases.ts: the items
  forwardAuth, // composition/forward_auth.ts: introspection and revocation for resource servers
  browser, // composition/browser.ts: sessions, self-service, common passwords, cookie mode (issue 15)
  http, // composition/http.ts: metrics, readiness, the Koa app
]

const BOUND = new WeakMap<Container, ReadonlySet<ServiceIdentifier>>()

/** Binds every port, use case and the HTTP app for `config`. */
export function createContainer(
  config: ConfigValue,
  logger: LoggerValue,
  overrides: ContainerOverrides = {},
): AppContainer {
  const c = new Container({ defaultScope: 'Singleton' })
  const bound = new Set<ServiceIdentifier>([Config, Logger])
  c.bind(Config).toConstantValue(config)
  c.bind(Logger).toConstantValue(logger)
  const context: CompositionContext = { config, overrides }
  c.load(...CAPABILITIES.map((capability) => capabilityModule(capability, context, bound)))
  BOUND.set(c, bound)
  return c
}

/** Every identifier `createContainer` bound in `c` (which depends on the configuration), for tests and diagnostics. */
export function boundIdentifiers(c: AppContainer): readonly ServiceIdentifier[] {
  return [...BOUND.get(c) ?? []]
}

/** Closes every client the container opened (deactivation hooks), for a graceful shutdown. */
export async function disposeContainer(c: AppContainer): Promise<void> {
  // A binding whose resolution failed (keys that would not open: a refused start) rejects
  // again here, after every other binding's deactivation has been started; it has nothing to close.
  await c.unbindAllAsync().catch(() => {})
}
