import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, describe, it } from 'mocha'
import { expect } from 'chai'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { parseCommandLine, UsageError } from '../../../src/adapters/cli/command_line.ts'
import { runCli } from '../../../src/adapters/cli/run_cli.ts'
import { loadConfig } from '../../../src/adapters/config.ts'
import {
  type AppContainer,
  type ContainerOverrides,
  createContainer,
  disposeContainer,
} from '../../../src/adapters/container.ts'
import { JoseKeyMaker } from '../../../src/adapters/crypto/jose_key_maker.ts'
import { FileKeyStore } from '../../../src/adapters/file/key_store.ts'
import { createLogger } from '../../../src/adapters/logger.ts'
import { MemoryKeyStore } from '../../../src/adapters/memory/key_store.ts'
import { memoryIo } from '../../support/cli_harness.ts'
import { FakeClock } from '../../support/fake_clock.ts'
import { type FakeMongo, startFakeMongo } from '../../support/fake_mongo.ts'
import { isolatedMongoUrl, TEST_ENV, TEST_SECRET } from '../../support/http_harness.ts'
import { privateJwk } from '../../support/key_stores.ts'

describe('parseCommandLine: keys', () => {
  it('reads keys list [--json], keys rotate and keys generate [--alg]', () => {
    expect(parseCommandLine(['keys', 'list'])).to.deep.equal({ name: 'keys list', json: false })
    expect(parseCommandLine(['keys', 'list', '--json'])).to.deep.equal({ name: 'keys list', json: true })
    expect(parseCommandLine(['keys', 'rotate'])).to.deep.equal({ name: 'keys rotate' })
    expect(parseCommandLine(['keys', 'generate'])).to.deep.equal({ name: 'keys generate', alg: 'ES256' })
    expect(parseCommandLine(['keys', 'generate', '--alg', 'EdDSA'])).to.deep.equal({
      name: 'keys generate',
      alg: 'EdDSA',
    })
    expect(parseCommandLine(['keys', 'generate', '--alg=RS256'])).to.deep.equal({ name: 'keys generate', alg: 'RS256' })
  })

  const refused: ReadonlyArray<readonly [string[], string]> = [
    [['keys'], 'Cannot run keys: missing list, rotate or generate'],
    [['keys', 'burn'], 'Cannot run keys "burn": unknown command'],
    [['keys', 'list', 'extra'], 'Cannot run keys list: unexpected argument "extra"'],
    [
      ['keys', 'rotate', '--json'],
      'Cannot run keys rotate: the --json option applies to list-users, sessions and keys list only',
    ],
    [['keys', 'list', '--alg', 'ES256'], 'Cannot run keys list: the --alg option applies to keys generate only'],
    [
      ['keys', 'generate', '--alg', 'HS256'],
      'Cannot run keys generate: --alg must be ES256, EdDSA or RS256, not "HS256"',
    ],
    [['keys', 'generate', '--alg'], 'Cannot read option "--alg": it takes a value, such as --alg ES256'],
    [['list-users', '--alg', 'ES256'], 'Cannot run list-users: the --alg option applies to keys generate only'],
  ]
  for (const [argv, message] of refused) {
    it(`refuses ${argv.join(' ')} with a usage error`, () => {
      expect(() => parseCommandLine(argv)).to.throw(UsageError, message)
    })
  }
})

describe('runCli: keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-cli-keys-'))
  const containers: AppContainer[] = []
  let fake: FakeMongo
  const build = (env: Record<string, string> = {}, overrides: ContainerOverrides = {}) => {
    const container = createContainer(loadConfig({ ...TEST_ENV, ...env }), createLogger('silent'), overrides)
    containers.push(container)
    return container
  }
  async function cli(source: AppContainer | (() => AppContainer), argv: string[]) {
    const io = memoryIo('')
    const code = await runCli(argv, io, source)
    return { code, out: io.out(), err: io.err() }
  }

  before(async () => {
    fake = await startFakeMongo()
  })
  afterEach(async () => {
    for (const container of containers.splice(0)) await disposeContainer(container)
  })
  after(async () => {
    await fake.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
    it(`generates a private ${alg} JWK that a key file accepts, with no configuration at all`, async () => {
      const run = await cli(() => {
        throw new Error('keys generate must not build the container')
      }, ['keys', 'generate', '--alg', alg])
      expect([run.code, run.err]).to.deep.equal([0, ''])
      const jwk = JSON.parse(run.out) as JWK
      expect(jwk).to.include({ alg, use: 'sig' })
      expect(jwk.d).to.be.a('string')
      const { kid: _, alg: _a, use: _u, d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicHalf } = jwk
      expect(jwk.kid).to.equal(await calculateJwkThumbprint(publicHalf, 'sha256'))
      const path = join(dir, `${alg}.json`)
      writeFileSync(path, JSON.stringify({ keys: [jwk] }))
      const file = new FileKeyStore({ path, maker: new JoseKeyMaker({ secret: undefined }), clock: new FakeClock() })
      expect((await file.list()).map((key) => key.kid)).to.deep.equal([jwk.kid])
    })
  }

  it('lists the keys with kid, alg, state and times, as a table or JSON, never key material', async () => {
    const store = new MemoryKeyStore()
    const c = build({}, { keyStore: store })
    const table = await cli(c, ['keys', 'list'])
    const [stored] = await store.list()
    expect(table.code).to.equal(0)
    expect(table.out).to.match(
      new RegExp(
        `^KID +ALG +STATE +PUBLISHED +SIGNS FROM +SIGNS UNTIL +REMOVED AT\\n${
          stored!.kid
        } +ES256 +signing +\\S+Z +\\S+Z +- +-\\n$`,
      ),
    )
    const json = JSON.parse((await cli(c, ['keys', 'list', '--json'])).out)
    expect(json.keys).to.have.length(1)
    expect(json.keys[0]).to.deep.equal({
      kid: stored!.kid,
      alg: 'ES256',
      generation: 1,
      state: 'signing',
      published_at: new Date(stored!.publishedAt).toISOString(),
      signs_from: new Date(stored!.signsFrom).toISOString(),
      signs_until: null,
      remove_at: null,
    })
    for (const out of [table.out, JSON.stringify(json)]) {
      expect(out).to.not.include(stored!.sealed).and.not.match(/"d"|"x"/)
    }
  })

  it('lists the one HS256 key of a shared secret by its kid', async () => {
    const run = await cli(build({ JWT_SECRET: TEST_SECRET }), ['keys', 'list', '--json'])
    const [key] = JSON.parse(run.out).keys
    expect(key).to.include({ alg: 'HS256', state: 'signing' })
    expect(key.kid).to.match(/^[\w-]{16}$/)
    expect(run.out).to.not.include(TEST_SECRET)
  })

  it('rotates managed keys in MongoDB: the next key is published now and signs later; again, it answers the one scheduled', async () => {
    const env = { MONGO_URL: isolatedMongoUrl(fake.url), JWT_KEY_PREPUBLISH: '2h' }
    const first = await cli(build(env, { keyStore: undefined }), ['keys', 'rotate'])
    expect(first.code, first.err).to.equal(0)
    expect(first.out).to.match(
      /^Scheduled key \S+ \(ES256\): published \S+Z, signs from \S+Z; every instance holds it within JWT_KEY_REFRESH\n$/,
    )
    const kid = first.out.split(' ')[2]
    const again = await cli(build(env, { keyStore: undefined }), ['keys', 'rotate'])
    expect(again.out).to.match(new RegExp(`^Key ${kid} \\(ES256\\) is already scheduled`))
    const listed = JSON.parse((await cli(build(env, { keyStore: undefined }), ['keys', 'list', '--json'])).out)
    expect(listed.keys.map((key: { state: string }) => key.state)).to.deep.equal(['signing', 'published'])
    const { signs_from: signsFrom, published_at: publishedAt } = listed.keys[1]
    expect(Date.parse(signsFrom) - Date.parse(publishedAt)).to.equal(2 * 3_600_000)
  })

  it('refuses to rotate keys that are not managed in MongoDB with 78, saying why', async () => {
    const path = join(dir, 'rotate.json')
    writeFileSync(path, JSON.stringify({ keys: [await privateJwk()] }))
    const cases: ReadonlyArray<readonly [Record<string, string>, RegExp]> = [
      [{}, /MONGO_URL is not set, so each process keeps keys of its own in memory/],
      [{ JWT_SECRET: TEST_SECRET }, /JWT_ALGORITHM is HS256/],
      [{ JWT_KEYS_FILE: path }, /they come from JWT_KEYS_FILE/],
    ]
    for (const [env, why] of cases) {
      const run = await cli(build(env), ['keys', 'rotate'])
      expect(run.code, JSON.stringify(env)).to.equal(78)
      expect(run.err).to.match(/^hexauth: Cannot rotate keys: /).and.match(why)
    }
  })

  it('answers 78 naming KEY_ENCRYPTION_SECRET when the stored keys do not open with it, and adds none', async () => {
    const store = new MemoryKeyStore()
    await cli(build({}, { keyStore: store }), ['keys', 'list'])
    const run = await cli(
      build({ KEY_ENCRYPTION_SECRET: 'a-different-secret-Hq3wZ8rV1tN6yB4mK7pL2xC9' }, { keyStore: store }),
      ['keys', 'list'],
    )
    expect(run.code).to.equal(78)
    expect(run.err).to.match(/^hexauth: Cannot open signing key \S+: it was sealed under another KEY_ENCRYPTION_SECRET/)
    expect(await store.list()).to.have.length(1)
  })
})
