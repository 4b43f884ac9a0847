import { describe, it } from 'mocha'
import { expect } from 'chai'
import { loadConfig } from '../../src/adapters/config.ts'

describe('loadConfig: browsers (TOKEN_LOCATION, COOKIE_SECURE, COOKIE_SAMESITE)', () => {
  it('defaults to tokens in headers only, and Secure, SameSite=Lax cookies when cookies are turned on', () => {
    expect(loadConfig({}).browser).to.deep.equal({ headers: true, cookies: false, secure: true, sameSite: 'Lax' })
  })

  it('reads cookies, headers,cookies in any order and case, and the cookie attributes', () => {
    expect(loadConfig({ TOKEN_LOCATION: 'cookies' }).browser).to.include({ headers: false, cookies: true })
    expect(loadConfig({ TOKEN_LOCATION: ' Cookies , headers ' }).browser).to.include({ headers: true, cookies: true })
    expect(loadConfig({ COOKIE_SECURE: 'false', COOKIE_SAMESITE: 'strict' }).browser).to.include({
      secure: false,
      sameSite: 'Strict',
    })
    expect(loadConfig({ COOKIE_SAMESITE: 'None' }).browser.sameSite).to.equal('None')
  })

  for (
    const [env, name] of [
      [{ TOKEN_LOCATION: 'query' }, 'TOKEN_LOCATION'],
      [{ TOKEN_LOCATION: ',' }, 'TOKEN_LOCATION'],
      [{ COOKIE_SECURE: 'maybe' }, 'COOKIE_SECURE'],
      [{ COOKIE_SAMESITE: 'sometimes' }, 'COOKIE_SAMESITE'],
      [{ COOKIE_SAMESITE: 'None', COOKIE_SECURE: 'false' }, 'COOKIE_SAMESITE'],
    ] as const
  ) {
    it(`refuses ${JSON.stringify(env)}, naming ${name}`, () => {
      expect(() => loadConfig(env)).to.throw(RangeError, new RegExp(`${name} `))
    })
  }
})
