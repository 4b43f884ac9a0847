import { afterEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { clientKey, UNPARSED_CLIENT_KEY } from '../../../src/adapters/http/client_key.ts'
import { CountingHasher } from '../../support/core_fixtures.ts'
import {
  call,
  type CallResult,
  expectError,
  register,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

const PASSWORD = 'correct horse battery'
const LIMITS = {
  RATE_LIMIT: 'on',
  RATE_LIMIT_IP: '10000/1m',
  RATE_LIMIT_LOGIN_USER_IP: '10/15m',
  RATE_LIMIT_LOGIN_USER: '10000/1d',
}

describe('clientKey', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientKey('203.0.113.7')).to.equal('203.0.113.7')
    expect(clientKey(' 203.0.113.7 ')).to.equal('203.0.113.7')
  })

  it('reads an IPv4-mapped IPv6 address as its IPv4 address, in either notation', () => {
    expect(clientKey('::ffff:203.0.113.7')).to.equal('203.0.113.7')
    expect(clientKey('::FFFF:cb00:7107')).to.equal('203.0.113.7')
  })

  it('keys an IPv6 address by its /64, compressed or expanded, in any letter case', () => {
    const key = '2001:db8:1:2::/64'
    for (
      const address of [
        '2001:db8:1:2::1',
        '2001:0DB8:0001:0002:0000:0000:0000:0001',
        '2001:db8:1:2:ffff:ffff:ffff:ffff',
        '2001:db8:1:2:a::b',
      ]
    ) {
      expect(clientKey(address), address).to.equal(key)
    }
    expect(clientKey('2001:db8:1:3::1')).to.equal('2001:db8:1:3::/64')
    expect(clientKey('::1')).to.equal('::/64')
  })

  it('drops a zone id with the interface id', () => {
    expect(clientKey('fe80::1%eth0')).to.equal('fe80::/64')
    expect(clientKey('fe80::2%1')).to.equal('fe80::/64')
  })

  it('puts anything that is not an address in one shared key, never throwing', () => {
    for (
      const garbage of [
        '',
        'unknown',
        '203.0.113',
        '203.0.113.256',
        '0x7f.0.0.1',
        '127.1',
        '010.0.0.1',
        '203.0.113.7:8080',
        '[2001:db8::1]',
        '2001:db8::/64',
        'fe80::1%',
        '2001:db8:::1',
        'x'.repeat(10_000),
        '1.2.3.4, 5.6.7.8',
      ]
    ) {
      expect(clientKey(garbage), garbage.slice(0, 40)).to.equal(UNPARSED_CLIENT_KEY)
    }
  })
})

/** A random IPv4 address, as a client would forge one. */
function randomIpv4(): string {
  return [...crypto.getRandomValues(new Uint8Array(4))].join('.')
}

/** A random address in the IPv6 /64 `prefix` (four groups, no trailing colon). */
function randomIn64(prefix: string): string {
  return `${prefix}:${[...crypto.getRandomValues(new Uint16Array(4))].map((group) => group.toString(16)).join(':')}`
}

function statuses(results: readonly CallResult[]): Record<number, number> {
  const counts: Record<number, number> = {}
  for (const { status } of results) counts[status] = (counts[status] ?? 0) + 1
  return counts
}

describe('Client addresses the limits count', () => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const guess = (forwardedFor: string, password = 'wrong password') =>
    call(server!.url, '/login', {
      json: { username: 'target', password },
      headers: { 'x-forwarded-for': forwardedFor },
    })

  async function serve(env: Record<string, string>): Promise<CountingHasher> {
    const hasher = new CountingHasher()
    server = await startTestServer({ ...LIMITS, ...env }, { hasher })
    await register(server.url, 'target', PASSWORD)
    return hasher
  }

  it('takes the entry the proxy appended with TRUST_PROXY=1, whatever the client wrote before it', async () => {
    const hasher = await serve({ TRUST_PROXY: '1' })
    const results = await Promise.all(Array.from({ length: 150 }, () => guess(`${randomIpv4()}, 1.2.3.4`)))
    expect(statuses(results)).to.deep.equal({ 401: 10, 429: 140 })
    expect(hasher.verifies).to.equal(10)
    expectError(await guess('1.2.3.4', PASSWORD), 429, 'rate_limited')
    expect((await guess('1.2.3.4, 1.2.3.5', PASSWORD)).status).to.equal(200)
  })

  it('counts requests per address by the proxy-written entry too', async () => {
    await serve({ TRUST_PROXY: '1', RATE_LIMIT_IP: '5/1m' })
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(server!.url, '/registration', {
          json: { username: 'target', password: PASSWORD },
          headers: { 'x-forwarded-for': `${randomIpv4()}, 1.2.3.4` },
        })),
    )
    expect(statuses(results)).to.deep.equal({ 409: 5, 429: 15 })
  })

  it('takes the second-to-last entry with TRUST_PROXY=2', async () => {
    const hasher = await serve({ TRUST_PROXY: '2' })
    const results = await Promise.all(
      Array.from({ length: 150 }, () => guess(`${randomIpv4()}, 1.2.3.4, ${randomIpv4()}`)),
    )
    expect(statuses(results)).to.deep.equal({ 401: 10, 429: 140 })
    expect(hasher.verifies).to.equal(10)
  })

  it("ignores X-Forwarded-For with TRUST_PROXY=false: every request counts as the socket's address", async () => {
    const hasher = await serve({ TRUST_PROXY: 'false' })
    const results = await Promise.all(Array.from({ length: 30 }, () => guess(randomIpv4())))
    expect(statuses(results)).to.deep.equal({ 401: 10, 429: 20 })
    expect(hasher.verifies).to.equal(10)
  })

  it('shares one failure budget between the addresses of one IPv6 /64, not between /64s', async () => {
    const hasher = await serve({ TRUST_PROXY: '1' })
    const results = await Promise.all(Array.from({ length: 30 }, () => guess(randomIn64('2001:db8:1:2'))))
    expect(statuses(results)).to.deep.equal({ 401: 10, 429: 20 })
    expectError(await guess(randomIn64('2001:db8:1:2'), PASSWORD), 429, 'rate_limited')
    expectError(await guess(randomIn64('2001:db8:1:3')), 401, 'invalid_credentials')
    expect(hasher.verifies).to.equal(11)
  })

  it('shares one request budget between the addresses of one IPv6 /64, not between /64s', async () => {
    await serve({ TRUST_PROXY: '1', RATE_LIMIT_IP: '5/1m' })
    const results = await Promise.all(Array.from({ length: 20 }, () => guess(randomIn64('2001:db8:1:2'))))
    expect(statuses(results)).to.deep.equal({ 401: 5, 429: 15 })
    expectError(await guess(randomIn64('2001:db8:1:3')), 401, 'invalid_credentials')
  })

  it('counts an IPv4-mapped IPv6 address as its IPv4 address', async () => {
    await serve({ TRUST_PROXY: '1' })
    for (let i = 0; i < 5; i++) expectError(await guess('::ffff:1.2.3.4'), 401, 'invalid_credentials')
    for (let i = 0; i < 5; i++) expectError(await guess('1.2.3.4'), 401, 'invalid_credentials')
    expectError(await guess('::ffff:1.2.3.4', PASSWORD), 429, 'rate_limited')
    expectError(await guess('1.2.3.4', PASSWORD), 429, 'rate_limited')
  })
})
