import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { parse } from 'yaml'
import { composeSpecValidator } from '../support/compose_schema.ts'
import { launcherEnv } from '../../bench/runtimes.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

// No Docker engine or compose plugin exists on the development machines: the compose file is
// checked against the Compose Specification's JSON schema and for what hexauth needs of it.
describe('docker-compose.yml', () => {
  const text = readFileSync(resolve(root, 'docker-compose.yml'), 'utf8')
  const compose = parse(text)
  // deno-lint-ignore no-explicit-any -- parsed YAML, read field by field
  const services = compose.services as Record<string, Record<string, any>>

  /** The networks `service` joins (list or map syntax); none listed means `default`. */
  const networksOf = (service: string): string[] => {
    const networks = services[service]!.networks as string[] | Record<string, unknown> | undefined
    if (networks === undefined) return ['default']
    return Array.isArray(networks) ? networks : Object.keys(networks)
  }
  /** The secrets mounted in `service` (short or long syntax). */
  const secretsOf = (service: string): string[] =>
    ((services[service]!.secrets ?? []) as (string | { source: string })[]).map((s) =>
      typeof s === 'string' ? s : s.source
    )
  /** The users of the ACL template and their rules, comment lines dropped as make_secrets.sh does. */
  const aclUsers = (): Record<string, string[]> =>
    Object.fromEntries(
      readFileSync(resolve(root, 'deploy/redis/users.acl.template'), 'utf8').split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('#'))
        .map((line) => {
          const [keyword, name, ...rules] = line.trim().split(/\s+/)
          expect(keyword).to.equal('user')
          return [name!, rules]
        }),
    )

  const validate = composeSpecValidator()

  it('is valid against the Compose Specification schema', () => {
    const valid = validate(compose)
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).to.deep.equal([])
    expect(valid).to.equal(true)
  })

  it('has a schema check that refuses a malformed file', () => {
    const broken = structuredClone(compose)
    broken.services.app.depends_on.mongo.condition = 'whenever'
    broken.services.redis.healthcheck.retries = 'many'
    expect(validate(broken)).to.equal(false)
  })

  it('runs app, mongo and redis, each health-checked', () => {
    expect(Object.keys(services).sort()).to.deep.equal(['app', 'mongo', 'redis'])
    expect(services.mongo!.healthcheck.test).to.include('mongosh')
    expect(services.redis!.healthcheck.test.join(' ')).to.contain('redis-cli')
    // The app's health check is the image's HEALTHCHECK on /healthz.
    expect(readFileSync(resolve(root, 'Dockerfile'), 'utf8')).to.match(/HEALTHCHECK[\s\S]*\/healthz/)
  })

  it('starts the app only once both stores are healthy', () => {
    expect(services.app!.depends_on).to.deep.equal({
      mongo: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    })
  })

  it("publishes only the app's port", () => {
    expect(services.app!.ports).to.have.length(1)
    expect(services.mongo!.ports).to.equal(undefined)
    expect(services.redis!.ports).to.equal(undefined)
  })

  it('signs with key pairs, sealed under a key encryption secret from a secret file, and shares no JWT secret', () => {
    const env = services.app!.environment as Record<string, string>
    for (const name of ['JWT_SECRET', 'JWT_SECRET_FILE', 'KEY_ENCRYPTION_SECRET', 'JWT_ALGORITHM']) {
      expect(env).to.not.have.property(name)
    }
    expect(env.KEY_ENCRYPTION_SECRET_FILE).to.equal('/run/secrets/key_encryption_secret')
    expect(secretsOf('app')).to.include('key_encryption_secret')
  })

  it('puts the stores on an internal network that only the app also joins', () => {
    const networks = compose.networks as Record<string, Record<string, unknown> | null>
    expect(networks.stores?.internal).to.equal(true)
    expect(networksOf('mongo')).to.deep.equal(['stores'])
    expect(networksOf('redis')).to.deep.equal(['stores'])
    expect(networksOf('app')).to.have.members(['default', 'stores'])
    // Exactly app, mongo and redis on it: a sibling added to the stack joins default.
    expect(Object.keys(services).filter((name) => networksOf(name).includes('stores')).sort())
      .to.deep.equal(['app', 'mongo', 'redis'])
  })

  it('gives the stores no sibling-facing network: every network they join is internal', () => {
    const networks = compose.networks as Record<string, Record<string, unknown> | null>
    for (const store of ['mongo', 'redis']) {
      for (const network of networksOf(store)) {
        expect(networks[network]?.internal, `${store} on ${network}`).to.equal(true)
      }
      for (const key of ['network_mode', 'links', 'external_links', 'ports']) {
        expect(services[store], `${store}.${key}`).to.not.have.property(key)
      }
    }
  })

  it('starts Redis with the ACL file rendered from the template, whose default user is off', () => {
    const command = services.redis!.command as string[]
    const aclPath = command[command.indexOf('--aclfile') + 1]
    expect(command).to.include('--aclfile')
    expect(aclPath).to.equal('/run/secrets/redis_users.acl')
    expect(secretsOf('redis')).to.deep.equal(['redis_users.acl'])
    const users = aclUsers()
    expect(Object.keys(users).sort()).to.deep.equal(['default', 'healthcheck', 'hexauth'])
    expect(users.default).to.deep.equal(['reset', 'resetchannels', 'off'])
  })

  it("limits the template's hexauth user to its key prefix, its channels and named commands", () => {
    const rules = aclUsers().hexauth!
    expect(rules.slice(0, 3)).to.deep.equal(['reset', 'resetchannels', 'on'])
    expect(rules.filter((rule) => /^[~&%]/.test(rule))).to.deep.equal(['~hexauth:*', '&hexauth:*'])
    // A hash of the password filled in by make_secrets.sh, never a password (`>…`) or none.
    expect(rules.filter((rule) => /^[>#<!]|^nopass$/.test(rule))).to.deep.equal(['#@REDIS_PASSWORD_SHA256@'])
    const grants = rules.filter((rule) => /^[+-]/.test(rule))
    // One command (or one subcommand: +client|setname) per grant, never a category (+@…).
    for (const grant of grants) expect(grant, 'one command per grant, no category').to.match(/^\+[a-z]+(\|[a-z]+)?$/)
    expect(grants).to.not.include.members([
      '+flushall',
      '+flushdb',
      '+keys',
      '+config',
      '+acl',
      '+debug',
      '+shutdown',
      '+module',
      '+client',
    ])
    expect(rules.filter((rule) => /^(allkeys|allchannels|allcommands)$/.test(rule))).to.deep.equal([])
  })

  it("lets the template's healthcheck user PING and nothing else, and health-checks Redis with it", () => {
    expect(aclUsers().healthcheck).to.deep.equal(['reset', 'resetchannels', 'on', 'nopass', '+ping'])
    // Run for real against the rendered ACL in test/deploy/redis_acl.test.ts.
    const [kind, command] = services.redis!.healthcheck.test as string[]
    expect(kind).to.equal('CMD-SHELL')
    expect(command).to.match(/^redis-cli --user healthcheck .* ping \| grep -qx PONG$/)
  })

  it('creates the Mongo root user from a secret file and mounts the init script that creates hexauth', () => {
    const env = services.mongo!.environment as Record<string, string>
    expect(env).to.not.have.property('MONGO_INITDB_ROOT_PASSWORD')
    expect(env.MONGO_INITDB_ROOT_USERNAME).to.be.a('string').that.is.not.empty
    expect(env.MONGO_INITDB_ROOT_PASSWORD_FILE).to.equal('/run/secrets/mongo_root_password')
    expect(secretsOf('mongo')).to.have.members(['mongo_root_password', 'mongo_hexauth_password'])
    expect(services.mongo!.volumes).to.include(
      './deploy/mongo/create_hexauth_user.js:/docker-entrypoint-initdb.d/create_hexauth_user.js:ro',
    )
  })

  it('points the app at the stores as user hexauth, the URLs carrying a user but no password', () => {
    const env = services.app!.environment as Record<string, string>
    const redis = new URL(env.REDIS_URL!)
    expect([redis.protocol, redis.username, redis.password, redis.host]).to.deep.equal([
      'redis:',
      'hexauth',
      '',
      'redis:6379',
    ])
    const mongo = new URL(env.MONGO_URL!)
    expect([mongo.protocol, mongo.username, mongo.password, mongo.host, mongo.pathname])
      .to.deep.equal(['mongodb:', 'hexauth', '', 'mongo:27017', '/hexauth'])
    expect(mongo.searchParams.get('authSource')).to.equal('hexauth')
    expect(env.REDIS_PASSWORD_FILE).to.equal('/run/secrets/redis_password')
    expect(env.MONGO_PASSWORD_FILE).to.equal('/run/secrets/mongo_hexauth_password')
    expect(secretsOf('app')).to.have.members(['key_encryption_secret', 'redis_password', 'mongo_hexauth_password'])
  })

  it('has no password or secret inline anywhere: only _FILE variables naming a mounted secret', () => {
    for (const [name, service] of Object.entries(services)) {
      const env = (service.environment ?? {}) as Record<string, string>
      for (const [key, value] of Object.entries(env)) {
        expect(key, `${name}.${key}`).to.not.match(/(PASSWORD|SECRET|_KEY|TOKEN)$/)
        if (key.endsWith('_FILE')) {
          expect(value, `${name}.${key}`).to.match(/^\/run\/secrets\/[\w.-]+$/)
          expect(secretsOf(name), `${name}.${key}`).to.include(value.slice('/run/secrets/'.length))
        }
      }
    }
    // No userinfo with a password (scheme://user:password@), no requirepass, no inline ACL password.
    expect(text).to.not.match(/:\/\/[^\s/@:]*:[^\s/@]+@/)
    expect(text).to.not.match(/requirepass|masterauth|--user\b[^\n]*>\S/)
  })

  it('declares every secret it mounts, each a file under ./secrets/, and mounts every one it declares', () => {
    const declared = compose.secrets as Record<string, Record<string, string>>
    const mounted = new Set(Object.keys(services).flatMap(secretsOf))
    expect([...mounted].sort()).to.deep.equal(Object.keys(declared).sort())
    for (const [name, secret] of Object.entries(declared)) {
      expect(Object.keys(secret), name).to.deep.equal(['file'])
      expect(secret.file, name).to.equal(`./secrets/${name}`)
    }
  })

  it("keeps ./secrets out of git and out of the image's build context", () => {
    expect(readFileSync(resolve(root, '.gitignore'), 'utf8').split('\n')).to.include('/secrets/')
    expect(readFileSync(resolve(root, '.dockerignore'), 'utf8').split('\n')).to.include('secrets')
  })

  it('writes the secrets before starting the stack: make up depends on make secrets', () => {
    const makefile = readFileSync(resolve(root, 'Makefile'), 'utf8')
    expect(makefile).to.match(/^up: .*\bsecrets\b/m)
    expect(makefile).to.match(/^secrets:\n\tsh deploy\/make_secrets\.sh secrets$/m)
  })

  it('runs Redis with append-only persistence', () => {
    expect(services.redis!.command).to.include.members(['--appendonly', 'yes'])
  })
})

describe('Dockerfile', () => {
  const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8')
  const stages = dockerfile.split(/^FROM /m).slice(1)

  it('installs in one stage, compiles in another and runs in a third, with neither compilers nor sources', () => {
    expect(stages).to.have.length(3)
    expect(stages[0]).to.match(/npm ci --omit=dev/)
    expect(stages[1]).to.match(/^deps AS build/)
    expect(stages[1]).to.match(/tsc -p tsconfig\.build\.json/)
    expect(stages[2]).to.match(/COPY --from=deps .*\/app\/node_modules/)
    expect(stages[2]).to.match(/COPY --from=build .*\/app\/dist \.\/dist/)
    expect(stages[2]).to.not.match(/g\+\+|npm (ci|install)|COPY .*src/)
  })

  it('runs as a non-root user, the compiled source on Node 24 or later', () => {
    expect(stages[2]).to.match(/^USER node$/m)
    expect(stages[2]).to.match(/CMD \["node", .*"dist\/main\.js"\]/)
    expect(dockerfile).to.match(/^FROM node:(2[4-9]|[3-9]\d)/m)
  })

  it('compiles what its command runs: tsconfig.build.json writes src/main.ts to dist/main.js', () => {
    const build = JSON.parse(
      readFileSync(resolve(root, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''),
    ) as { compilerOptions: Record<string, unknown>; include: string[] }
    expect(build.compilerOptions).to.include({ rootDir: 'src', outDir: 'dist', rewriteRelativeImportExtensions: true })
    expect(build.include).to.deep.equal(['src'])
  })

  it("bounds V8's young generation as `npm start` does (on a large host it otherwise grows to ~100 MB more RSS under load)", () => {
    const cmd = JSON.parse(/^CMD (\[.*"dist\/main\.js"\])$/m.exec(stages[2]!)![1]!) as string[]
    const start =
      (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
    const v8Flags = (words: readonly string[]) => words.filter((word) => word.startsWith('--max-'))
    expect(v8Flags(cmd)).to.deep.equal(['--max-semi-space-size=4'])
    expect(v8Flags(start.split(/\s+/))).to.deep.equal(v8Flags(cmd))
  })

  it('sets the memory and thread-pool environment `npm start` sets, with the same values', () => {
    const env = Object.fromEntries(
      [.../^ENV ((?:.*\\\n)*.*)$/m.exec(stages[2]!)![1]!.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((
        m,
      ) => [m[1], m[2]]),
    )
    const start = launcherEnv(root)
    expect(start).to.deep.equal({
      MALLOC_ARENA_MAX: '2',
      GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
      UV_THREADPOOL_SIZE: '16',
    })
    expect(env).to.include(start)
  })

  it('leaves tests and local state out of the build context', () => {
    const ignored = readFileSync(resolve(root, '.dockerignore'), 'utf8').split('\n')
    expect(ignored).to.include.members(['node_modules', 'test', '.git', '.env', 'secrets'])
  })
})
