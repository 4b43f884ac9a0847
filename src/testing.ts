/**
 * hexauth's test kit (`hexauth/testing`): the real service, started in-process on a free port,
 * for other teams' integration suites. No Docker, no image to build: the same Koa app, use cases
 * and token signing as a deployment, on memory stores unless MongoDB and Redis URLs are given.
 *
 * Each {@linkcode startHexauth} is a service of its own (its own container, keys, stores and
 * metrics): several run side by side in one process, and {@linkcode StartedHexauth.stop}
 * leaves nothing running (no socket, timer or client), so a test runner exits by itself.
 *
 * @example
 * ```ts
 * import { startHexauth } from 'hexauth/testing'
 * const hexauth = await startHexauth()
 * const { accessToken } = await hexauth.tokensFor('alice', { admin: true })
 * const users = await fetch(`${hexauth.url}/users`, { headers: { authorization: `Bearer ${accessToken}` } })
 * await hexauth.stop()
 * ```
 * @module
 */
import type { Server } from 'node:http'
import { decodeJwt } from 'jose'
import { loadConfig } from './adapters/config.ts'
import { createContainer, disposeContainer, HttpApp } from './adapters/container.ts'
import { listen } from './adapters/http/listen.ts'
import { createLogger } from './adapters/logger.ts'
import { MemoryKeyStore } from './adapters/memory/key_store.ts'
import { resolveSecretFiles } from './adapters/secret_files.ts'
import { isAuthError } from './domain/auth_error.ts'
import { parseUsername } from './domain/username.ts'
import { Clock } from './application/ports/clock.ts'
import { UserRepository } from './application/ports/user_repository.ts'
import { Login } from './application/login.ts'
import { RegisterUser } from './application/register_user.ts'
import { RevokeToken } from './application/revoke_token.ts'
import { SetAdmin } from './application/set_admin.ts'
import { TokenMinter } from './application/token_minter.ts'
import { TEST_ONLY_ARGON2_ENV } from './test_only_settings.ts'

export { TEST_ONLY_ARGON2_ENV }

/** What {@linkcode startHexauth} starts. */
export interface StartHexauthOptions {
  /** Users, items and signing keys in this MongoDB (its database is the URL's); else in memory. */
  readonly mongoUrl?: string
  /** Revocations (and rate limits, when on) in this Redis; else in memory. */
  readonly redisUrl?: string
  /**
   * Any other of hexauth's variables (README, "Configuration"), over the kit's defaults: fast
   * test-only argon2, rate limits off, no logs, signing keys generated at start (ES256), and a
   * Redis key prefix of this instance's own.
   */
  readonly env?: Readonly<Record<string, string>>
  /**
   * Keep the signing keys in the configured store (MongoDB, with `mongoUrl`) rather than in
   * this instance's memory: instances on one database given one `KEY_ENCRYPTION_SECRET` (in
   * `env`) then verify each other's tokens, as the instances of a deployment do.
   * @default false
   */
  readonly storedKeys?: boolean
  /** @default 0 (a free port) */
  readonly port?: number
  /** @default '127.0.0.1' */
  readonly host?: string
}

/** A token pair, as the API's `access_token` and `refresh_token`. */
export interface Tokens {
  readonly accessToken: string
  readonly refreshToken: string
}

/** What {@linkcode StartedHexauth.tokensFor} makes. */
export interface TokensForOptions {
  /** The user's stored admin flag, set (promoted or demoted) before the tokens are made. */
  readonly admin?: boolean
  /**
   * A fresh access token, as a password login gives; `false` gives one as a refresh gives.
   * @default true
   */
  readonly fresh?: boolean
}

/** A running hexauth. */
export interface StartedHexauth {
  /** Its base URL: `http://127.0.0.1:<port>`. */
  readonly url: string
  /** The `iss` of its tokens (`JWT_ISSUER`). */
  readonly issuer: string
  /** The `aud` of its tokens (`JWT_AUDIENCE`). */
  readonly audience: string
  /** Its JWK Set: where a resource server under test gets the keys that verify its tokens. */
  readonly jwksUrl: string
  /**
   * Creates an account as `POST /registration` does (a name in `ADMIN_USERNAMES` is refused).
   * @throws an `AuthError`: `invalid_request`, `username_taken`
   */
  register(username: string, password: string): Promise<Tokens>
  /**
   * Signs in as `POST /login` does.
   * @throws an `AuthError`: `invalid_credentials`
   */
  login(username: string, password: string): Promise<Tokens>
  /**
   * Tokens for `username` with no password: the account is created when missing (with a
   * random password), and its admin flag set when `admin` is given.
   */
  tokensFor(username: string, options?: TokensForOptions): Promise<Tokens>
  /**
   * Revokes a token as logging out does: an access token alone, a refresh token with its whole
   * session (the access tokens of its login stop working too).
   * @throws an `AuthError` when the token is not one of this instance's valid tokens
   */
  revoke(token: string): Promise<void>
  /** Stops listening, closes every connection and store client. Safe to call twice. */
  stop(): Promise<void>
}

/** Starts hexauth in this process and resolves once it listens. */
export async function startHexauth(options: StartHexauthOptions = {}): Promise<StartedHexauth> {
  const config = loadConfig(resolveSecretFiles({
    ...TEST_ONLY_ARGON2_ENV,
    LOG_LEVEL: 'silent',
    RATE_LIMIT: 'off',
    REDIS_KEY_PREFIX: `hexauth-testing:${crypto.randomUUID()}:`,
    // Required with MONGO_URL; it seals nothing stored unless storedKeys.
    ...options.mongoUrl === undefined ? {} : { MONGO_URL: options.mongoUrl, KEY_ENCRYPTION_SECRET: randomSecret() },
    ...options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl },
    ...options.env,
  }))
  // Signing keys of this instance's own, in memory, even with MongoDB: a run never meets the
  // keys of an earlier run sealed under another secret.
  const ownKeys = options.storedKeys !== true && config.keys.mode === 'managed'
  const container = createContainer(
    config,
    createLogger(config.logLevel),
    ownKeys ? { keyStore: new MemoryKeyStore() } : {},
  )
  let server: Server
  try {
    const app = await container.getAsync(HttpApp)
    server = await listen(app.callback(), {
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      keepAliveTimeoutMs: 5000,
    })
  } catch (error) {
    await disposeContainer(container)
    throw error
  }
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const host = (options.host ?? '127.0.0.1').includes(':') ? `[${options.host}]` : options.host ?? '127.0.0.1'
  const url = `http://${host}:${port}`
  const useCases = {
    register: await container.getAsync(RegisterUser),
    login: await container.getAsync(Login),
    revoke: await container.getAsync(RevokeToken),
    setAdmin: await container.getAsync(SetAdmin),
    minter: await container.getAsync(TokenMinter),
    users: await container.getAsync<UserRepository>(UserRepository),
    clock: await container.getAsync<Clock>(Clock),
  }
  let stopped: Promise<void> | undefined

  return {
    url,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    jwksUrl: `${url}/.well-known/jwks.json`,
    async register(username, password) {
      return pair(await useCases.register.execute({ username, password }))
    },
    async login(username, password) {
      return pair(await useCases.login.execute({ username, password }))
    },
    tokensFor: (username, tokenOptions = {}) => tokensFor(useCases, username, tokenOptions),
    async revoke(token) {
      const type = tokenType(token)
      await useCases.revoke.execute({ token, type })
    },
    stop() {
      stopped ??= (async () => {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await disposeContainer(container)
      })()
      return stopped
    },
  }
}

interface KitUseCases {
  readonly register: RegisterUser
  readonly setAdmin: SetAdmin
  readonly minter: TokenMinter
  readonly users: UserRepository
  readonly clock: Clock
}

async function tokensFor(u: KitUseCases, username: string, options: TokensForOptions): Promise<Tokens> {
  const name = parseUsername(username)
  if (await u.users.findByUsername(name) === undefined) {
    const password = randomPassword()
    // An operator's registration: a name in ADMIN_USERNAMES is allowed (and is an admin).
    await u.register.execute({ username: name, password }, { byOperator: true }).catch((error: unknown) => {
      // Created meanwhile by another call: that account will do.
      if (!isAuthError(error, 'username_taken')) throw error
    })
  }
  let revokedAt: number | undefined
  if (options.admin !== undefined) {
    const { tokensRevoked } = await u.setAdmin.execute({ username: name, isAdmin: options.admin })
    if (tokensRevoked) revokedAt = u.clock.now()
  }
  const user = await u.users.findByUsername(name)
  if (user === undefined) {
    throw new Error(`hexauth testing: the user "${name}" was deleted while its tokens were being made`)
  }
  // A demotion revoked every token issued up to its millisecond: these are dated after it.
  while (revokedAt !== undefined && u.clock.now() <= revokedAt) await new Promise((resolve) => setTimeout(resolve, 1))
  const startedAt = u.clock.now()
  const fam = u.minter.newFamily()
  const [access, refresh] = await u.minter.issue([
    u.minter.claims(user, 'access', { fresh: options.fresh ?? true, fam, startedAt }),
    u.minter.claims(user, 'refresh', { fresh: false, fam, startedAt }),
  ])
  return { accessToken: access!.token, refreshToken: refresh!.token }
}

function pair(result: Tokens): Tokens {
  return { accessToken: result.accessToken, refreshToken: result.refreshToken }
}

/** The `type` claim of a token, read without verifying it (the use case verifies). */
function tokenType(token: string): 'access' | 'refresh' {
  let type: unknown
  try {
    type = decodeJwt(token).type
  } catch {
    type = undefined
  }
  return type === 'refresh' ? 'refresh' : 'access'
}

function randomPassword(): string {
  return randomSecret()
}

/** 32 random bytes, base64. */
function randomSecret(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
}
