import { inspect } from 'node:util'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'mocha'
import { expect } from 'chai'
import { loadConfig } from '../../src/adapters/config.ts'
import { resolveSecretFiles } from '../../src/adapters/secret_files.ts'

const SECRET_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6'
const SECRET_B = 'Zq8!rT2#wY5^uI9(oP3)aS6-dF1=gH4+jK7'

describe('loadConfig: CLIENTS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-clients-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('has no clients when unset, so /introspect and /revoke refuse everyone', () => {
    expect(loadConfig({}).clients.ids).to.deep.equal([])
  })

  it('reads id:secret entries, comma-separated, and authenticates each with its own secret only', () => {
    const { clients } = loadConfig({ CLIENTS: ` grafana:${SECRET_A} , api.v2:${SECRET_B}` })
    expect(clients.ids).to.deep.equal(['grafana', 'api.v2'])
    expect(clients.authenticate('grafana', SECRET_A)).to.equal(true)
    expect(clients.authenticate('api.v2', SECRET_B)).to.equal(true)
    expect(clients.authenticate('grafana', SECRET_B)).to.equal(false)
    expect(clients.authenticate('grafana', SECRET_A.slice(0, -1))).to.equal(false)
    expect(clients.authenticate('nobody', SECRET_A)).to.equal(false)
  })

  it('keeps a secret that holds a colon whole', () => {
    const secret = `${SECRET_A}:tail`
    expect(loadConfig({ CLIENTS: `svc:${secret}` }).clients.authenticate('svc', secret)).to.equal(true)
  })

  it('reads CLIENTS_FILE: one entry per line, "#" lines are comments', () => {
    const path = join(dir, 'clients')
    writeFileSync(path, `# resource servers\ngrafana:${SECRET_A}\n\napi:${SECRET_B}\n`)
    const { clients } = loadConfig(resolveSecretFiles({ CLIENTS_FILE: path }))
    expect(clients.ids).to.deep.equal(['grafana', 'api'])
    expect(clients.authenticate('api', SECRET_B)).to.equal(true)
  })

  const refusals: ReadonlyArray<readonly [string, string, RegExp]> = [
    [
      'a secret under 32 characters',
      `svc:${'Zq8rT2wY5uI9oP3'}`,
      /CLIENTS entry 1 \(client "svc"\) has a secret shorter than 32 characters/,
    ],
    ['an entry without a colon', 'just-a-name', /CLIENTS entry 1 is not "id:secret"/],
    ['an empty id', `:${SECRET_A}`, /CLIENTS entry 1 has an id that is not/],
    ['an id with a space', `my svc:${SECRET_A}`, /CLIENTS entry 1 has an id that is not/],
    ['the same id twice', `svc:${SECRET_A},svc:${SECRET_B}`, /CLIENTS entry 2 repeats the client id "svc"/],
    ['a secret with a space', `svc:${SECRET_A} tail`, /CLIENTS entry 1 \(client "svc"\) has a secret with a space/],
  ]
  for (const [what, value, message] of refusals) {
    it(`stops the start on ${what}, naming the entry and never the secret`, () => {
      expect(() => loadConfig({ CLIENTS: value })).to.throw(RangeError, message)
        .that.satisfies((e: Error) =>
          !e.message.includes(SECRET_A) && !e.message.includes(SECRET_B) && !e.message.includes('Zq8rT2wY5uI9oP3')
        )
    })
  }

  it('never shows a secret when the configuration is serialised, inspected or logged', () => {
    const config = loadConfig({ CLIENTS: `grafana:${SECRET_A}` })
    for (const text of [JSON.stringify(config), inspect(config, { depth: 10 }), JSON.stringify(config.clients)]) {
      expect(text).to.not.include(SECRET_A)
    }
    expect(JSON.parse(JSON.stringify(config.clients))).to.deep.equal({ ids: ['grafana'] })
  })
})
