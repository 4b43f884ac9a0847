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

  it('checks the keys of an object against its own, not those of an object nested in it', () => {
    expect(hasDuplicateKeys('{"a":{"x":1},"x":2}')).to.equal(false)
    expect(hasDuplicateKeys('{"a":[{"x":1}],"x":2}')).to.equal(false)
  })

  it('goes on checking an object after a value that is an array or an object', () => {
    expect(hasDuplicateKeys('{"a":[1,"b"],"b":1,"b":2}')).to.equal(true)
    expect(hasDuplicateKeys('{"a":{"b":1},"c":1,"c":2}')).to.equal(true)
    expect(hasDuplicateKeys('[{"a":1},{"a":1}]')).to.equal(false)
  })

  it('reads a key with an escaped quote or backslash to its end', () => {
    expect(hasDuplicateKeys('{"a\\"b":1,"a\\"b":2}')).to.equal(true)
    expect(hasDuplicateKeys('{"a\\\\":1,"b":{"a\\\\":2}}')).to.equal(false)
    expect(hasDuplicateKeys('{"a\\\\":"b","b":1}')).to.equal(false)
  })

  it('throws on a key that is not a JSON string', () => {
    expect(() => hasDuplicateKeys('{"\\x":1}')).to.throw(SyntaxError)
  })

  it('throws on a key left unterminated, rather than reading past the end', () => {
    expect(() => hasDuplicateKeys('{"a')).to.throw(SyntaxError)
    expect(() => hasDuplicateKeys('{"a\\')).to.throw(SyntaxError)
  })
})
