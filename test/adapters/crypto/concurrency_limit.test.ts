import { describe, it } from 'mocha'
import { expect } from 'chai'
import { Argon2Hasher } from '../../../src/adapters/crypto/argon2_hasher.ts'
import { ConcurrencyLimit } from '../../../src/adapters/crypto/concurrency_limit.ts'

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks at once, the rest in arrival order', async () => {
    const limit = new ConcurrencyLimit(2)
    let running = 0
    let peak = 0
    const order: number[] = []
    const release: Array<() => void> = []
    const tasks = Array.from({ length: 5 }, (_, i) =>
      limit.run(async () => {
        running++
        peak = Math.max(peak, running)
        order.push(i)
        await new Promise<void>((resolve) => release.push(resolve))
        running--
        return i
      }))
    for (let settled = 0; settled < 5; settled++) {
      while (release.length === 0) await new Promise((r) => setImmediate(r))
      release.shift()!()
    }
    expect(await Promise.all(tasks)).to.deep.equal([0, 1, 2, 3, 4])
    expect(peak).to.equal(2)
    expect(order).to.deep.equal([0, 1, 2, 3, 4])
  })

  it('frees the slot of a task that fails', async () => {
    const limit = new ConcurrencyLimit(1)
    await limit.run(() => Promise.reject(new Error('boom'))).catch(() => {})
    expect(await limit.run(() => Promise.resolve('next'))).to.equal('next')
    expect(limit.waiting).to.equal(0)
  })

  it('refuses a limit that is not a positive integer', () => {
    for (const max of [0, -1, 1.5, Number.NaN]) {
      expect(() => new ConcurrencyLimit(max), String(max))
        .to.throw(RangeError, 'Cannot limit concurrency: max must be a positive integer')
    }
  })
})

describe('Argon2Hasher concurrency', () => {
  it('still hashes and verifies every request when more arrive than it runs at once', async () => {
    const hasher = new Argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }, 1)
    const hashes = await Promise.all(Array.from({ length: 4 }, (_, i) => hasher.hash(`password-${i}`)))
    const checks = await Promise.all(hashes.map((hash, i) => hasher.verify(hash, `password-${i}`)))
    expect(checks).to.deep.equal([true, true, true, true])
  })
})
