import { describe, it } from 'mocha'
import { expect } from 'chai'
import { ITEM_NAME_MAX_LENGTH, parseItemName, parseItemPrice } from '../../src/domain/item.ts'
import { throwsWith } from '../support/core_fixtures.ts'

const NUMBER = 'must be a non-negative number'

describe('parseItemName', () => {
  it('accepts letters of any script, digits, spaces, "_", "." and "-"', () => {
    for (const name of ['chair', 'Stuhl 2', 'café', 'стул', 'table_v1.2-b', 'x']) {
      expect(parseItemName(name)).to.equal(name)
    }
  })

  it(`accepts ${ITEM_NAME_MAX_LENGTH} characters and refuses one more`, () => {
    expect(parseItemName('n'.repeat(ITEM_NAME_MAX_LENGTH))).to.have.length(ITEM_NAME_MAX_LENGTH)
    throwsWith(() => parseItemName('n'.repeat(ITEM_NAME_MAX_LENGTH + 1)), 'invalid_request')
  })

  it('counts characters, not UTF-16 units, and accepts combining marks', () => {
    const astral = '\u{1D49C}'.repeat(ITEM_NAME_MAX_LENGTH)
    expect(parseItemName(astral)).to.equal(astral)
    throwsWith(() => parseItemName(astral + '\u{1D49C}'), 'invalid_request')
    expect(parseItemName('cafe\u0301')).to.equal('cafe\u0301')
  })

  it('refuses the empty string and other characters, naming the field', () => {
    for (const raw of ['', 'a/b', '../etc', '<b>', 'semi;colon', 'tab\there', 'line\n']) {
      const error = throwsWith(() => parseItemName(raw), 'invalid_request')
      expect(error.fields, JSON.stringify(raw)).to.have.keys('name')
    }
  })

  it('never coerces non-strings', () => {
    for (const raw of [42, ['chair'], null, undefined, { $ne: '' }]) {
      throwsWith(() => parseItemName(raw), 'invalid_request')
    }
  })
})

describe('parseItemPrice', () => {
  it('returns a non-negative JSON number', () => {
    expect(parseItemPrice({ price: 0 })).to.equal(0)
    expect(parseItemPrice({ price: 5 })).to.equal(5)
    expect(parseItemPrice({ price: 9.99 })).to.equal(9.99)
  })

  it('never coerces a numeric string', () => {
    expect(throwsWith(() => parseItemPrice({ price: '5' }), 'invalid_request').fields).to.deep.equal({ price: NUMBER })
  })

  it('refuses negative prices', () => {
    for (const price of [-1, -0.01]) {
      expect(throwsWith(() => parseItemPrice({ price }), 'invalid_request').fields).to.deep.equal({ price: NUMBER })
    }
  })

  it('refuses NaN and infinities, which JSON cannot carry but a direct caller can', () => {
    for (const price of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(throwsWith(() => parseItemPrice({ price }), 'invalid_request').fields).to.deep.equal({ price: NUMBER })
    }
  })

  it('refuses other JSON types', () => {
    for (const price of [null, true, [5], { amount: 5 }, '']) {
      throwsWith(() => parseItemPrice({ price }), 'invalid_request')
    }
  })

  it('reports a missing price as required', () => {
    expect(throwsWith(() => parseItemPrice({}), 'invalid_request').fields).to.deep.equal({ price: 'is required' })
  })

  it('refuses a body that is not a JSON object', () => {
    for (const body of [[{ price: 5 }], null, 5, '5']) {
      const error = throwsWith(() => parseItemPrice(body), 'invalid_request')
      expect(error.message).to.equal('Invalid request body: it must be a JSON object')
    }
  })
})
