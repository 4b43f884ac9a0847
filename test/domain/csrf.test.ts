import { describe, it } from 'mocha'
import { expect } from 'chai'
import { assertCsrf, constantTimeEqual, CSRF_MAX_LENGTH, newCsrfValue } from '../../src/domain/csrf.ts'
import type { TokenClaims } from '../../src/domain/token_claims.ts'
import type { UserId } from '../../src/domain/user.ts'
import { throwsWith } from '../support/core_fixtures.ts'

/** An access token's claims whose session carries `csrf` (none when undefined). */
function claims(csrf: string | undefined): TokenClaims {
  const now = Date.now() / 1000
  const base = {
    sub: 'u1' as UserId,
    jti: 'j1',
    type: 'access' as const,
    iat: now,
    nbf: now,
    exp: now + 900,
    fresh: true,
    isAdmin: false,
    fam: 'f1',
  }
  return csrf === undefined ? base : { ...base, csrf }
}

const NO_CLAIM = 'Cannot accept the cookie token: it carries no CSRF value, log in again'
const NO_HEADER = 'Cannot accept the request: the X-CSRF-Token header is missing or empty'
const MISMATCH = 'Cannot accept the request: the X-CSRF-Token header does not match the session'

describe('newCsrfValue', () => {
  it('makes 32 random bytes in base64url: 43 characters, no padding, a new one each time', () => {
    const values = Array.from({ length: 50 }, () => newCsrfValue())
    for (const value of values) expect(value).to.match(/^[A-Za-z0-9_-]{43}$/)
    expect(new Set(values).size).to.equal(50)
  })
})

describe('constantTimeEqual', () => {
  it('tells strings of one length apart by any character, first, middle or last', () => {
    expect(constantTimeEqual('abcdef', 'abcdef')).to.equal(true)
    for (const other of ['xbcdef', 'abXdef', 'abcdeX']) expect(constantTimeEqual('abcdef', other)).to.equal(false)
  })

  it('tells a string from its prefix, its extension and the empty string', () => {
    expect(constantTimeEqual('abc', 'ab')).to.equal(false)
    expect(constantTimeEqual('ab', 'abc')).to.equal(false)
    expect(constantTimeEqual('abc', '')).to.equal(false)
    expect(constantTimeEqual('', 'abc')).to.equal(false)
    expect(constantTimeEqual('', '')).to.equal(true)
  })

  it('compares UTF-8 bytes, so strings that differ only beyond ASCII differ', () => {
    expect(constantTimeEqual('café', 'cafe\u0301')).to.equal(false)
    expect(constantTimeEqual('ключ', 'ключ')).to.equal(true)
  })
})

describe('assertCsrf', () => {
  it('accepts a header equal to the session value', () => {
    const value = newCsrfValue()
    expect(() => assertCsrf(claims(value), value)).not.to.throw()
  })

  it('refuses a cookie token whose session carries no CSRF value, or an empty one, whatever the header', () => {
    for (const [csrf, presented] of [[undefined, 'abc'], ['', ''], ['', 'x'], [undefined, undefined]] as const) {
      expect(throwsWith(() => assertCsrf(claims(csrf), presented), 'csrf_failed').message).to.equal(NO_CLAIM)
    }
  })

  it('refuses a missing or empty header, saying so', () => {
    for (const presented of [undefined, '']) {
      expect(throwsWith(() => assertCsrf(claims('abc'), presented), 'csrf_failed').message).to.equal(NO_HEADER)
    }
  })

  it('refuses a header that differs from the session value', () => {
    const error = throwsWith(() => assertCsrf(claims(newCsrfValue()), newCsrfValue()), 'csrf_failed')
    expect(error.message).to.equal(MISMATCH)
  })

  it(`compares headers of up to ${CSRF_MAX_LENGTH} characters and refuses a longer one, even an equal one`, () => {
    const longest = 'a'.repeat(CSRF_MAX_LENGTH)
    expect(() => assertCsrf(claims(longest), longest)).not.to.throw()
    const over = 'a'.repeat(CSRF_MAX_LENGTH + 1)
    expect(throwsWith(() => assertCsrf(claims(over), over), 'csrf_failed').message).to.equal(MISMATCH)
  })
})
