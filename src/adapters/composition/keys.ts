import { KeyRing } from '../../application/key_ring.ts'
import { Clock } from '../../application/ports/clock.ts'
import { KeyMaker } from '../../application/ports/key_maker.ts'
import { KeyStore } from '../../application/ports/key_store.ts'
import { SigningKeys } from '../../application/ports/signing_keys.ts'
import { TokenIssuer } from '../../application/ports/token_issuer.ts'
import { TokenVerifier } from '../../application/ports/token_verifier.ts'
import { isAuthError } from '../../domain/auth_error.ts'
import type { UsernameKey } from '../../domain/username.ts'
import { CachedTokenVerifier } from '../crypto/cached_token_verifier.ts'
import { HmacSigningKeys } from '../crypto/hmac_signing_keys.ts'
import { JoseKeyMaker } from '../crypto/jose_key_maker.ts'
import { JoseTokenIssuer } from '../crypto/jose_token_issuer.ts'
import { JoseTokenVerifier } from '../crypto/jose_token_verifier.ts'
import type { JwtSettings as JwtSettingsValue } from '../crypto/jwt_settings.ts'
import { FileKeyStore } from '../file/key_store.ts'
import { KeyRefresher } from '../key_refresher.ts'
import type { Logger as LoggerValue } from '../logger.ts'
import { MemoryKeyStore } from '../memory/key_store.ts'
import { MongoKeyStore } from '../mongo/key_store.ts'
import type { MongoConnection } from '../mongo/mongo_connection.ts'
import type { Capability } from './capability.ts'
import { JwtSettings, KeyRefresh, Logger, Mongo, ReservedUsernames, TokenPolicy } from './ids.ts'

/** Signing and verifying: the keys, the JWT options, the issuer and the (cached) verifier, the token lifetimes. */
export const tokens: Capability = (options, context) => {
  const { bind } = options
  const { config } = context
  signingKeys(options, context)
  bind(JwtSettings).toResolvedValue((clock: Clock, keys: SigningKeys) => ({
    keys,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    leewaySeconds: config.jwtLeewaySeconds,
    clock,
  }), [Clock, SigningKeys])
  bind(TokenIssuer).toResolvedValue((s: JwtSettingsValue) => new JoseTokenIssuer(s), [JwtSettings])
  bind(TokenVerifier).toResolvedValue((s: JwtSettingsValue) => {
    const jose = new JoseTokenVerifier(s)
    const maxEntries = config.tokenCacheSize
    return maxEntries === 0 ? jose : new CachedTokenVerifier({ inner: jose, clock: s.clock, maxEntries })
  }, [JwtSettings])
  bind(TokenPolicy).toConstantValue({
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
    leewaySeconds: config.jwtLeewaySeconds,
    // One CSRF value per login session, in its tokens, whenever cookies may carry them.
    csrf: config.browser.cookies,
  })
  bind(ReservedUsernames).toConstantValue(
    new Set(config.adminUsernames.map((name) => name.toLowerCase() as UsernameKey)),
  )
}

/**
 * The signing keys: HS256 with one secret; else a key ring over a key file (`JWT_KEYS_FILE`),
 * MongoDB (`MONGO_URL`) or memory, loaded before the app serves. A key that cannot be opened
 * (a wrong `KEY_ENCRYPTION_SECRET`) fails the start; a store that cannot answer does not: the
 * ring retries in the background and token routes answer 503 until it has keys.
 */
const signingKeys: Capability = ({ bind }, { config, overrides: o }) => {
  const { mode, algorithm, encryptionSecret, keysFile, refreshSeconds } = config.keys
  const refresher = (refresh: () => Promise<void>, reload: () => Promise<void>, logger: LoggerValue) =>
    new KeyRefresher({ refresh, reload, logger, intervalMs: refreshSeconds * 1000 })
  if (mode === 'hs256') {
    // No secret configured: a random one, so tokens die with the process (main warns).
    bind(SigningKeys).toResolvedValue(
      (clock: Clock) =>
        HmacSigningKeys.create(config.jwtSecret ?? crypto.getRandomValues(new Uint8Array(48)), clock.now()),
      [Clock],
    )
    const nothing = () => Promise.resolve()
    bind(KeyRefresh).toResolvedValue((logger: LoggerValue) => refresher(nothing, nothing, logger), [Logger])
    return
  }
  const maker = new JoseKeyMaker({ secret: mode === 'managed' ? encryptionSecret : undefined })
  bind(KeyMaker).toConstantValue(maker)
  if (o.keyStore !== undefined) bind(KeyStore).toConstantValue(o.keyStore)
  else if (mode === 'file') {
    bind(KeyStore).toResolvedValue((clock: Clock) => new FileKeyStore({ path: keysFile!, maker, clock }), [Clock])
  } else if (config.mongoUrl !== undefined) {
    bind(KeyStore).toResolvedValue((mongo: MongoConnection) => new MongoKeyStore(mongo), [Mongo])
  } else bind(KeyStore).toConstantValue(new MemoryKeyStore())
  const { rotationSeconds, prepublishSeconds } = config.keys
  const retentionSeconds = config.refreshTokenTtlSeconds + config.accessTokenTtlSeconds + config.jwtLeewaySeconds
  bind(KeyRing).toResolvedValue((store: KeyStore, clock: Clock) =>
    new KeyRing({
      store,
      maker,
      clock,
      algorithm: algorithm === 'HS256' ? 'ES256' : algorithm,
      managed: mode === 'managed',
      policy: {
        rotationMs: rotationSeconds * 1000,
        prepublishMs: prepublishSeconds * 1000,
        retentionMs: retentionSeconds * 1000,
      },
    }), [KeyStore, Clock])
  bind(SigningKeys).toResolvedValue(async (ring: KeyRing, logger: LoggerValue) => {
    await ring.refresh().catch((error: unknown) => {
      if (!isAuthError(error, 'service_unavailable')) throw error
      logger.warn(
        { error: error.message },
        'Cannot load the signing keys yet: token routes answer 503 until the key store answers',
      )
    })
    return ring
  }, [KeyRing, Logger])
  bind(KeyRefresh).toResolvedValue((ring: KeyRing, store: KeyStore, logger: LoggerValue) =>
    refresher(
      () => ring.refresh(),
      async () => {
        if (store instanceof FileKeyStore) await store.reload()
        await ring.refresh()
      },
      logger,
    ), [KeyRing, KeyStore, Logger]).onDeactivation((refresh) => refresh.stop())
}
