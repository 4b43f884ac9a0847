import { describe, it } from 'mocha'
import { expect } from 'chai'
import { isJsonObject, parseCredentials } from '../../src/domain/credentials.ts'
import { throwsWith } from '../support/core_fixtures.ts'

describe('parseCredentials', () => {
  it('returns exactly the username and password of a valid body', () => {
    const credentials = parseCredentials({ username: 'alice', password: 'long enough', is_admin: true })
    expect(credentials).to.deep.equal({ username: 'alice', password: 'long enough' })
  })

  it('reports both bad fields at once', () => {
    const error = throwsWith(() => parseCredentials({ username: 5, password: 'short' }), 'invalid_request')
    expect(error.fields).to.deep.equal({ username: 'must be a string', password: 'must be 8 to 1024 characters long' })
    expect(error.message).to.include('username must be a string')
    expect(error.message).to.include('password must be 8 to 1024 characters long')
  })

  it('reports only the field that is wrong', () => {
    const error = throwsWith(
      () => parseCredentials({ username: 'alice', password: ['long enough'] }),
      'invalid_request',
    )
    expect(error.fields).to.deep.equal({ password: 'must be a string' })
  })

  it('reports both fields as required in an empty object', () => {
    const error = throwsWith(() => parseCredentials({}), 'invalid_request')
    expect(error.fields).to.deep.equal({ username: 'is required', password: 'is required' })
  })

  it('refuses query operators instead of coercing them', () => {
    const error = throwsWith(
      () => parseCredentials({ username: { $gt: '' }, password: { $gt: '' } }),
      'invalid_request',
    )
    expect(error.fields).to.deep.equal({ username: 'must be a string', password: 'must be a string' })
  })

  it('refuses a body that is not a JSON object', () => {
    const bodies: unknown[] = [[{ username: 'alice', password: 'long enough' }], null, 'alice', 42, true, undefined]
    for (const body of bodies) {
      const error = throwsWith(() => parseCredentials(body), 'invalid_request')
      expect(error.message, JSON.stringify(body)).to.equal('Invalid request body: it must be a JSON object')
      expect(error.fields).to.equal(undefined)
    }
  })
})

describe('isJsonObject', () => {
  it('accepts plain objects, with or without a prototype', () => {
    expect(isJsonObject({})).to.equal(true)
    expect(isJsonObject(Object.create(null))).to.equal(true)
  })

  it('refuses arrays, null and primitives', () => {
    for (const value of [[], null, undefined, 'x', 1, false]) expect(isJsonObject(value), String(value)).to.equal(false)
  })
})
