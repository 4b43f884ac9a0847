import { describe, it } from 'mocha'
import { expect } from 'chai'
import { toNumericDate } from '../../src/domain/token_claims.ts'

describe('toNumericDate', () => {
  const second = Date.UTC(2026, 0, 1)

  it('turns whole milliseconds into seconds', () => {
    expect(toNumericDate(second)).to.equal(second / 1000)
  })

  it('keeps millisecond precision', () => {
    expect(toNumericDate(second + 123)).to.equal(second / 1000 + 0.123)
  })

  it('drops sub-millisecond fractions', () => {
    expect(toNumericDate(second + 123.9)).to.equal(toNumericDate(second + 123))
  })

  it('orders two readings of the same second', () => {
    expect(toNumericDate(second + 1)).to.be.greaterThan(toNumericDate(second))
    expect(Math.floor(toNumericDate(second + 999))).to.equal(second / 1000)
  })
})
