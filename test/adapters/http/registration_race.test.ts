import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import {
  call,
  expectError,
  listUsernames,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

const RACERS = 50

describe('POST /registration under concurrency', () => {
  let server: TestServer

  before(async () => {
    server = await startTestServer()
  })

  after(() => server.close())

  it(`lets exactly one of ${RACERS} concurrent registrations of one name win, keeping its password`, async () => {
    const passwords = Array.from({ length: RACERS }, (_, i) => `racer-password-${i}`)
    const results = await Promise.all(
      passwords.map((password) => call(server.url, '/registration', { json: { username: 'contested', password } })),
    )

    const winners = results.flatMap((result, i) => (result.status === 201 ? [i] : []))
    expect(winners).to.have.lengthOf(1)
    for (const result of results) {
      if (result.status !== 201) expectError(result, 409, 'username_taken')
    }

    const logins = await Promise.all(
      passwords.map((password) => call(server.url, '/login', { json: { username: 'contested', password } })),
    )
    const accepted = logins.flatMap((result, i) => (result.status === 200 ? [i] : []))
    expect(accepted).to.deep.equal(winners)
    for (const result of logins) {
      if (result.status !== 200) expectError(result, 401, 'invalid_credentials')
    }

    const admin = await registerAdmin(server)
    expect(await listUsernames(server.url, admin.accessToken)).to.have.members(['contested', 'admin'])
  })
})
