/**
 * hexauth's embeddable core: every use case, every port (interface and same-named injection
 * token), the domain's types and rules, `AuthError`, the token minter and policy, and
 * reference adapters that need nothing but web-standard APIs and `jose`: the in-memory
 * stores, the system clock, the key ring's key maker (ES256, EdDSA, RS256, sealed with
 * AES-256-GCM) and memory key store, HS256 keys from a secret, the jose token issuer and
 * verifier, and the verified-token cache that wraps any verifier. Another transport (a CLI, a queue consumer, a gRPC server,
 * an edge function) wires these with adapters of its own.
 *
 * Nothing reachable from here imports Koa, mongoose, ioredis, inversify, argon2, pino, zod
 * or a `node:` module (test/mod.test.ts walks the graph), so it runs on any runtime with
 * WebCrypto: its tests run on Node and on Deno. Passwords are hashed by the embedder's own
 * {@linkcode PasswordHasher}: hexauth's argon2 hasher is a native addon, so it is not here.
 *
 * @example
 * ```ts
 * const clock = new SystemClock()
 * const users = new MemoryUserRepository()
 * const revocations = new MemoryRevocationStore({ clock })
 * const policy = { rotationMs: 30 * 86_400_000, prepublishMs: 7_200_000, retentionMs: 31 * 86_400_000 }
 * const keys = new KeyRing({ store: new MemoryKeyStore(), maker: new JoseKeyMaker({ secret: undefined }), clock, policy, algorithm: 'ES256', managed: true })
 * await keys.refresh() // creates the first key; call it again now and then to rotate
 * const settings = { keys, issuer: 'me', audience: 'me', leewaySeconds: 5, clock }
 * const minter = new TokenMinter({ issuer: new JoseTokenIssuer(settings), revocations, policy })
 * const checkClaims = new CheckClaims({ verifier: new JoseTokenVerifier(settings), revocations })
 * const login = new Login({ credentials: new CredentialsCheck({ users, hasher }), minter, clock })
 * ```
 * @module
 */

// Domain: readonly data, pure rules, the one error type.
export * from './domain/auth_error.ts'
export * from './domain/credentials.ts'
export * from './domain/item.ts'
export * from './domain/password.ts'
export * from './domain/signing_key.ts'
export * from './domain/token_claims.ts'
export * from './domain/user.ts'
export * from './domain/username.ts'

// Ports: each an interface and a same-named symbol token.
export * from './application/ports/clock.ts'
export * from './application/ports/item_repository.ts'
export * from './application/ports/key_maker.ts'
export * from './application/ports/key_store.ts'
export * from './application/ports/password_hasher.ts'
export * from './application/ports/revocation_store.ts'
export * from './application/ports/signing_keys.ts'
export * from './application/ports/token_issuer.ts'
export * from './application/ports/token_verifier.ts'
export * from './application/ports/user_repository.ts'

// Use cases and what they share.
export * from './application/check_claims.ts'
export * from './application/create_item.ts'
export * from './application/credentials_check.ts'
export * from './application/delete_all_users.ts'
export * from './application/delete_item.ts'
export * from './application/delete_user.ts'
export * from './application/fresh_login.ts'
export * from './application/get_item.ts'
export * from './application/introspect_token.ts'
export * from './application/key_ring.ts'
export * from './application/list_items.ts'
export * from './application/list_users.ts'
export * from './application/login.ts'
export * from './application/refresh_access.ts'
export * from './application/register_user.ts'
export * from './application/revoke_any_token.ts'
export * from './application/revoke_token.ts'
export * from './application/revoke_user_tokens.ts'
export * from './application/set_admin.ts'
export * from './application/token_identity.ts'
export * from './application/token_minter.ts'
export * from './application/user_revocation.ts'

// Reference adapters: web-standard APIs and jose only.
export { MemoryItemRepository } from './adapters/memory/item_repository.ts'
export { MemoryKeyStore } from './adapters/memory/key_store.ts'
export { MemoryRevocationStore, type MemoryRevocationStoreDeps } from './adapters/memory/revocation_store.ts'
export { MemoryUserRepository } from './adapters/memory/user_repository.ts'
export { SystemClock } from './adapters/system_clock.ts'
export { CachedTokenVerifier, type CachedTokenVerifierDeps } from './adapters/crypto/cached_token_verifier.ts'
export { JoseTokenIssuer } from './adapters/crypto/jose_token_issuer.ts'
export { JoseTokenVerifier, MAX_TOKEN_LENGTH } from './adapters/crypto/jose_token_verifier.ts'
export { HmacSigningKeys } from './adapters/crypto/hmac_signing_keys.ts'
export { JoseKeyMaker, type JoseKeyMakerOptions } from './adapters/crypto/jose_key_maker.ts'
export { importHmacKey, JWT_TYP, type JwtSettings } from './adapters/crypto/jwt_settings.ts'
