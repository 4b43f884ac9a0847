import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import {
  AuthError,
  CheckClaims,
  type Clock,
  CredentialsCheck,
  JoseKeyMaker,
  JoseTokenIssuer,
  JoseTokenVerifier,
  KeyRing,
  Login,
  MemoryKeyStore,
  MemoryRevocationStore,
  MemoryUserRepository,
  parseUsername,
  type PasswordHasher,
  RefreshAccess,
  RegisterUser,
  RevokeToken,
  SystemClock,
  TokenMinter,
  type TokenPolicy,
  type UsernameKey,
  UserRepository,
} from '../src/mod.ts'

// The embedding half of this file imports nothing of hexauth but src/mod.ts, as an embedder
// would; the import-graph half reads the sources with node:fs.

/** A hasher an embedder might bring: PBKDF2-SHA256 on WebCrypto, with few iterations (a test). */
class WebCryptoHasher implements PasswordHasher {
  async hash(password: string): Promise<string> {
    const salt = crypto.getRandomValues(new Uint8Array(16))
    return `pbkdf2$${toHex(salt)}$${toHex(await derive(password, salt))}`
  }

  async verify(encoded: string, password: string): Promise<boolean> {
    const [tag, salt, hash] = encoded.split('$')
    if (tag !== 'pbkdf2' || salt === undefined || hash === undefined) return false
    return toHex(await derive(password, fromHex(salt))) === hash
  }

  needsRehash(encoded: string): boolean {
    return !encoded.startsWith('pbkdf2$')
  }
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits'])
  return new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 1000 }, key, 256),
  )
}

const toHex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16))

/** What an embedder wires: memory stores, jose tokens, its own hasher, a clock it can move. */
async function embed() {
  let now = Date.now()
  const clock: Clock & { advance(ms: number): void } = {
    now: () => now,
    advance: (ms) => {
      now += ms
    },
  }
  const users = new MemoryUserRepository()
  const revocations = new MemoryRevocationStore({ clock })
  const hasher = new WebCryptoHasher()
  const policy: TokenPolicy = {
    accessTtlSeconds: 900,
    refreshTtlSeconds: 86_400,
    refreshReuseGraceSeconds: 10,
    leewaySeconds: 5,
  }
  // ES256 keys the embedder's ring generates and rotates, in memory.
  const keys = new KeyRing({
    store: new MemoryKeyStore(),
    maker: new JoseKeyMaker({ secret: undefined }),
    clock,
    algorithm: 'ES256',
    managed: true,
    policy: { rotationMs: 30 * 86_400_000, prepublishMs: 7_200_000, retentionMs: 2 * 86_400_000 },
  })
  await keys.refresh()
  const settings = { keys, issuer: 'embedder', audience: 'embedder', leewaySeconds: policy.leewaySeconds, clock }
  const minter = new TokenMinter({ issuer: new JoseTokenIssuer(settings), revocations, policy })
  const checkClaims = new CheckClaims({ verifier: new JoseTokenVerifier(settings), revocations })
  return {
    clock,
    users,
    checkClaims,
    keys,
    register: new RegisterUser({ users, hasher, minter, clock, reservedUsernames: new Set(['root' as UsernameKey]) }),
    login: new Login({ credentials: new CredentialsCheck({ users, hasher }), minter, clock }),
    refresh: new RefreshAccess({ checkClaims, users, minter, revocations, clock, policy }),
    revoke: new RevokeToken({ checkClaims, revocations, clock, policy }),
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error, 'expected a rejection').to.be.instanceOf(AuthError)
  return (error as AuthError).code
}

describe('src/mod.ts, embedded', () => {
  let core: Awaited<ReturnType<typeof embed>>
  const alice = { username: 'alice', password: 'correct horse battery' }
  beforeEach(async () => {
    core = await embed()
  })

  it('registers and logs in, with claims a transport can check', async () => {
    await core.register.execute(alice)
    const { accessToken } = await core.login.execute(alice)
    const claims = await core.checkClaims.execute({ token: accessToken, type: 'access', fresh: true })
    const stored = await core.users.findByUsername(parseUsername(alice.username))
    expect(claims).to.include({ sub: stored?.id, type: 'access', fresh: true, isAdmin: false })
    expect(await codeOf(core.checkClaims.execute({ token: accessToken, type: 'access', admin: true }))).to.equal(
      'admin_required',
    )
    expect(await codeOf(core.login.execute({ ...alice, password: 'wrong password' }))).to.equal('invalid_credentials')
  })

  it("refuses a reserved name to self-service, and makes the operator's account of it an admin", async () => {
    expect(await codeOf(core.register.execute({ username: 'Root', password: alice.password }))).to.equal(
      'username_taken',
    )
    const { accessToken } = await core.register.execute({ username: 'Root', password: alice.password }, {
      byOperator: true,
    })
    expect((await core.checkClaims.execute({ token: accessToken, type: 'access', admin: true })).isAdmin).to.equal(true)
  })

  it('refreshes with rotation: a non-fresh access token, and the used refresh token retired', async () => {
    const { refreshToken } = await core.register.execute(alice)
    const pair = await core.refresh.execute({ token: refreshToken })
    expect((await core.checkClaims.execute({ token: pair.accessToken, type: 'access' })).fresh).to.equal(false)
    core.clock.advance(11_000)
    expect(await codeOf(core.refresh.execute({ token: refreshToken }))).to.equal('token_reused')
  })

  it('revokes an access token, and a refresh token with its session', async () => {
    const { accessToken, refreshToken } = await core.register.execute(alice)
    expect(await core.revoke.execute({ token: accessToken, type: 'access' })).to.equal('token')
    expect(await codeOf(core.checkClaims.execute({ token: accessToken, type: 'access' }))).to.equal('token_revoked')
    expect(await core.revoke.execute({ token: refreshToken, type: 'refresh' })).to.equal('session')
    expect(await codeOf(core.refresh.execute({ token: refreshToken }))).to.equal('token_revoked')
  })

  it("signs with the key ring's ES256 key, its kid in the header, and publishes that key", async () => {
    const { accessToken } = await core.register.execute(alice)
    const header = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(atob(accessToken.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
      ),
    )
    expect(header).to.deep.equal({ alg: 'ES256', typ: 'at+jwt', kid: core.keys.current().kid })
    expect(core.keys.published().map((key) => key.kid)).to.deep.equal([header.kid])
  })

  it('exports ports as symbol tokens and a wall clock', () => {
    expect(typeof UserRepository).to.equal('symbol')
    const before = Date.now()
    const now = new SystemClock().now()
    expect(now).to.be.at.least(before).and.at.most(Date.now())
  })
})

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g

/** Every file reachable from `entry` by relative imports, and every other specifier met. */
function importGraph(entry: string): { files: Set<string>; bare: Map<string, string> } {
  const files = new Set<string>()
  const bare = new Map<string, string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      if (specifier!.startsWith('.')) visit(resolve(dirname(file), specifier!))
      else bare.set(specifier!, relative(root, file))
    }
  }
  visit(entry)
  return { files, bare }
}

describe('src/mod.ts, its import graph', () => {
  const { files, bare } = importGraph(join(root, 'src/mod.ts'))

  it('reaches the core and the reference adapters', () => {
    const reached = [...files].map((file) => relative(root, file))
    expect(reached).to.include.members([
      'src/domain/auth_error.ts',
      'src/application/login.ts',
      'src/adapters/memory/user_repository.ts',
      'src/adapters/crypto/jose_token_verifier.ts',
      'src/adapters/crypto/json_duplicates.ts',
    ])
  })

  it('imports no package but jose: no Koa, mongoose, ioredis, inversify, argon2, pino, zod or node:', () => {
    const offences = [...bare].filter(([specifier]) => specifier !== 'jose').map(([s, file]) => `${file} imports ${s}`)
    expect(offences).to.deep.equal([])
    expect([...bare.keys()]).to.deep.equal(['jose'])
  })

  it('is what package.json exports as the package itself, compiled to dist/ by the prepack build', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports?: Record<string, unknown>
    }
    expect(manifest.exports?.['.']).to.deep.equal({ types: './dist/mod.d.ts', default: './dist/mod.js' })
    // src/<path>.ts compiles to dist/<path>.js (test/testing/package.test.ts runs the build).
    const build = readFileSync(join(root, 'tsconfig.build.json'), 'utf8')
    expect(build).to.match(/"rootDir": "src"/).and.match(/"outDir": "dist"/)
  })

  it('re-exports every module of src/domain and src/application', () => {
    const text = readFileSync(join(root, 'src/mod.ts'), 'utf8')
    const missing = ['domain', 'application', 'application/ports']
      .flatMap((dir) =>
        readdirSync(join(root, 'src', dir)).filter((name) => name.endsWith('.ts')).map((name) => `./${dir}/${name}`)
      )
      .filter((path) => !text.includes(`export * from '${path}'`))
    expect(missing).to.deep.equal([])
  })
})
