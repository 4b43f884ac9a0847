import { Writable } from 'node:stream'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { createLogger } from '../../src/adapters/logger.ts'
import { StoreHealth } from '../../src/adapters/store_health.ts'
import { FakeClock } from '../support/fake_clock.ts'

interface Line {
  readonly level: number
  readonly msg: string
  readonly store?: string
  readonly cause?: { readonly name?: string; readonly message: string; readonly code?: string }
  readonly failures?: number
  readonly down_ms?: number
}

function subject() {
  const lines: Line[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Line)
      done()
    },
  })
  const clock = new FakeClock()
  return { health: new StoreHealth({ logger: createLogger('trace', sink), clock }), lines, clock }
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })

describe('StoreHealth', () => {
  it("logs 20 failures in a row as one error line with the cause's message and code", () => {
    const { health, lines } = subject()
    for (let i = 0; i < 20; i++) health.failed('redis', refused())
    expect(lines).to.have.length(1)
    expect(lines[0]).to.include({ level: 50, store: 'redis' })
    expect(lines[0]!.cause).to.deep.equal({
      name: 'Error',
      message: 'connect ECONNREFUSED 127.0.0.1:6379',
      code: 'ECONNREFUSED',
    })
    expect(lines[0]!.msg).to.match(/^Redis failed/)
  })

  it('logs a recovery once when the store answers again, then a new failure as a new episode', () => {
    const { health, lines, clock } = subject()
    health.failed('redis', refused())
    health.failed('redis', refused())
    clock.advance(1500)
    health.recovered('redis')
    health.recovered('redis')
    health.failed('redis', new Error('Command timed out'))
    expect(lines.map((line) => [line.level, line.msg.split(':')[0], line.cause?.message])).to.deep.equal([
      [50, 'Redis failed', 'connect ECONNREFUSED 127.0.0.1:6379'],
      [30, 'Redis recovered', undefined],
      [50, 'Redis failed', 'Command timed out'],
    ])
    expect(lines[1]).to.include({ failures: 2, down_ms: 1500 })
  })

  it('logs nothing for successes outside an episode', () => {
    const { health, lines } = subject()
    for (let i = 0; i < 5; i++) health.recovered('redis')
    expect(lines).to.deep.equal([])
  })

  it('keeps the episodes of each store apart', () => {
    const { health, lines } = subject()
    health.failed('mongodb', new Error('Server selection timed out'))
    health.failed('limiter', refused())
    health.recovered('redis')
    health.failed('mongodb', new Error('Server selection timed out'))
    health.recovered('mongodb')
    expect(lines.map((line) => [line.store, line.level])).to.deep.equal([['mongodb', 50], ['limiter', 50], [
      'mongodb',
      30,
    ]])
  })

  it('never logs credentials in a URL or anything shaped like a token', () => {
    const { health, lines } = subject()
    health.failed('mongodb', new Error('Authentication failed for mongodb://admin:hunter2@db:27017/hexauth'))
    health.failed('redis', 'rediss://:s3cret@cache:6380 refused eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl')
    const text = JSON.stringify(lines)
    for (const secret of ['hunter2', 's3cret', 'eyJhbGciOiJIUzI1NiJ9']) expect(text).to.not.contain(secret)
    expect(lines.map((line) => line.cause?.message)).to.deep.equal([
      'Authentication failed for mongodb://[redacted]@db:27017/hexauth',
      'rediss://[redacted]@cache:6380 refused [redacted]',
    ])
  })
})
