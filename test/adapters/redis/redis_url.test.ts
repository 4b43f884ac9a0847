import { describe, it } from 'mocha'
import { expect } from 'chai'
import { keyPrefixFor, parseRedisUrl } from '../../../src/adapters/redis/redis_url.ts'
import { loadConfig } from '../../../src/adapters/config.ts'

describe('parseRedisUrl', () => {
  it('hands a single-server URL to ioredis as it is', () => {
    for (const url of ['redis://redis:6379', 'rediss://:secret@cache.example:6380/2', 'redis://127.0.0.1']) {
      expect(parseRedisUrl(url)).to.deep.equal({ mode: 'single', url })
    }
  })

  it("reads a Sentinel URL: the sentinels, the primary's name, credentials and database", () => {
    expect(parseRedisUrl('redis+sentinel://user:p%40ss@s1:26379,s2:26380,[::1]:26381/mymaster/3')).to.deep.equal({
      mode: 'sentinel',
      sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }, { host: '::1', port: 26381 }],
      name: 'mymaster',
      db: 3,
      auth: { username: 'user', password: 'p@ss', tls: false },
    })
  })

  it('reads a Cluster URL, with TLS for rediss+cluster and 6379 as the default port', () => {
    expect(parseRedisUrl('rediss+cluster://:pw@n1:7000,n2')).to.deep.equal({
      mode: 'cluster',
      nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 6379 }],
      auth: { password: 'pw', tls: true },
    })
  })

  for (
    const bad of [
      'http://redis:6379',
      'redis+sentinel://s1:26379',
      'redis+cluster://n1:99999',
      'redis+sentinel://s1/m/x',
      'localhost:6379',
      'redis+cluster://a b',
    ]
  ) {
    it(`refuses ${JSON.stringify(bad)} with a RangeError, and so does the configuration`, () => {
      expect(() => parseRedisUrl(bad)).to.throw(RangeError)
      expect(() => loadConfig({ REDIS_URL: bad })).to.throw(RangeError, /REDIS_URL/)
    })
  }

  it('makes the key prefix a hash tag in a Cluster, so one MGET reads keys of one slot', () => {
    expect(keyPrefixFor(parseRedisUrl('redis+cluster://n1:7000'), 'hexauth:')).to.equal('{hexauth:}')
    expect(keyPrefixFor(parseRedisUrl('redis://r:6379'), 'hexauth:')).to.equal('hexauth:')
  })
})
