import { describe, it } from 'mocha'
import { expect } from 'chai'
import { hasDuplicateKeys } from '../../../src/adapters/crypto/json_duplicates.ts'

describe('hasDuplicateKeys', () => {
  it('finds a key repeated in one object', () => {
    expect(hasDuplicateKeys('{"a":1,"b":2,"a":3}')).to.equal(true)
  })

  it('compares keys decoded, so an escaped spelling is the same key', () => {
    expect(hasDuplicateKeys('{"type":"access","\\u0074ype":"refresh"}')).to.equal(true)
  })

  it('finds a duplicate in a nested object', () => {
    expect(hasDuplicateKeys('{"a":{"x":1,"x":2}}')).to.equal(true)
    expect(hasDuplicateKeys('{"a":[{"x":1},{"y":1,"y":2}]}')).to.equal(true)
  })

  it('accepts the same key in different objects, and keys that only appear as values', () => {
    expect(hasDuplicateKeys('{"a":{"x":1},"b":{"x":2},"c":"a","d":["a","a"]}')).to.equal(false)
    expect(hasDuplicateKeys('{"s":"he said \\"a\\":1, \\"a\\":2","a":0}')).to.equal(false)
  })

  it('accepts a real token payload', () => {
    const payload = { sub: 'u', jti: 'j', type: 'access', aud: ['x', 'y'], nested: { sub: 'other' } }
    expect(hasDuplicateKeys(JSON.stringify(payload))).to.equal(false)
  })
})
