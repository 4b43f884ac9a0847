import { describe, it } from 'mocha'
import { expect } from 'chai'
import { AuthError, isAuthError } from '../../src/domain/auth_error.ts'

describe('AuthError', () => {
  it('is an Error that carries its code and message', () => {
    const error = new AuthError('invalid_token', 'Cannot authorize: the token is invalid')
    expect(error).to.be.instanceOf(Error)
    expect(error.name).to.equal('AuthError')
    expect(error.code).to.equal('invalid_token')
    expect(error.message).to.equal('Cannot authorize: the token is invalid')
  })

  it('keeps per-field reasons when given', () => {
    const error = new AuthError('invalid_request', 'Invalid username', { fields: { username: 'is required' } })
    expect(error.fields).to.deep.equal({ username: 'is required' })
  })

  it('has no fields when none are given', () => {
    expect(new AuthError('not_found', 'Cannot find item').fields).to.equal(undefined)
  })

  it('keeps the cause without putting it in the message', () => {
    const cause = new Error('ECONNREFUSED 127.0.0.1:6379')
    const error = new AuthError('service_unavailable', 'Cannot check revocations', { cause })
    expect(error.cause).to.equal(cause)
    expect(error.message).not.to.include('ECONNREFUSED')
  })

  it('sets no cause when none is given', () => {
    expect(Object.hasOwn(new AuthError('not_found', 'Cannot find item'), 'cause')).to.equal(false)
  })
})

describe('isAuthError', () => {
  const error = new AuthError('token_expired', 'Cannot authorize: the token has expired')

  it('recognises any AuthError when no code is given', () => {
    expect(isAuthError(error)).to.equal(true)
  })

  it('matches the code when one is given', () => {
    expect(isAuthError(error, 'token_expired')).to.equal(true)
    expect(isAuthError(error, 'invalid_token')).to.equal(false)
  })

  it('refuses look-alikes that are not AuthError instances', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'token_expired' })
    expect(isAuthError(lookAlike)).to.equal(false)
    expect(isAuthError({ name: 'AuthError', code: 'token_expired' }, 'token_expired')).to.equal(false)
    expect(isAuthError(undefined)).to.equal(false)
  })
})
