import { describe, it } from 'mocha'
import { expect } from 'chai'
import type { CookieOptions } from '../../../src/adapters/http/cookies.ts'
import { forwardedMethod, readRequestToken } from '../../../src/adapters/http/request_token.ts'
import { throwsWith } from '../../support/core_fixtures.ts'

const COOKIES: CookieOptions = {
  headers: true,
  cookies: true,
  secure: true,
  sameSite: 'Lax',
  accessTtlSeconds: 900,
  refreshTtlSeconds: 86400,
}

/** A request with these headers (lower-case names) and method. */
function request(headers: Record<string, string>, method = 'GET') {
  return { method, get: (name: string) => headers[name.toLowerCase()] ?? '' }
}

describe('readRequestToken (what /auth/verify reuses)', () => {
  it('takes the header token with no CSRF proof, whatever the method', () => {
    expect(readRequestToken(request({ authorization: 'Bearer a.b.c' }, 'POST'), 'access', COOKIES)).to.deep.equal({
      token: 'a.b.c',
      csrf: undefined,
    })
  })

  it('takes the cookie token, with the X-CSRF-Token header as the proof on an unsafe method only', () => {
    const cookie = '__Host-hexauth-access=x.y.z'
    expect(readRequestToken(request({ cookie }, 'GET'), 'access', COOKIES)).to.deep.equal({
      token: 'x.y.z',
      csrf: undefined,
    })
    expect(readRequestToken(request({ cookie, 'x-csrf-token': 'v' }, 'DELETE'), 'access', COOKIES)).to.deep.equal({
      token: 'x.y.z',
      csrf: { presented: 'v' },
    })
    expect(readRequestToken(request({ cookie }, 'PATCH'), 'access', COOKIES).csrf).to.deep.equal({ presented: '' })
  })

  it('reads the refresh cookie for a refresh token, never the access one', () => {
    const cookie = '__Host-hexauth-access=a.a.a; __Secure-hexauth-refresh=r.r.r'
    expect(readRequestToken(request({ cookie }), 'refresh', COOKIES).token).to.equal('r.r.r')
  })

  it('reads no cookie in header mode and no header in cookies-only mode', () => {
    const both = request({ authorization: 'Bearer h.h.h', cookie: '__Host-hexauth-access=c.c.c' })
    expect(readRequestToken(both, 'access', undefined).token).to.equal('h.h.h')
    expect(readRequestToken(both, 'access', { ...COOKIES, headers: false }).token).to.equal('c.c.c')
  })

  it('refuses two different tokens and a cookie sent twice with invalid_request', () => {
    throwsWith(
      () =>
        readRequestToken(
          request({ authorization: 'Bearer h.h.h', cookie: '__Host-hexauth-access=c.c.c' }),
          'access',
          COOKIES,
        ),
      'invalid_request',
    )
    throwsWith(
      () =>
        readRequestToken(request({ cookie: '__Host-hexauth-access=a; __Host-hexauth-access=b' }), 'access', COOKIES),
      'invalid_request',
    )
  })

  it('applies the CSRF rule to the method a proxy reports (X-Forwarded-Method, X-Original-Method)', () => {
    const cookie = '__Host-hexauth-access=x.y.z'
    const proxied = request({ cookie, 'x-forwarded-method': 'post' }, 'GET')
    expect(forwardedMethod(proxied)).to.equal('POST')
    expect(readRequestToken({ get: proxied.get, method: forwardedMethod(proxied) }, 'access', COOKIES).csrf).to.deep
      .equal({ presented: '' })
    expect(forwardedMethod(request({ 'x-original-method': 'DELETE' }, 'GET'))).to.equal('DELETE')
    expect(forwardedMethod(request({ 'x-forwarded-method': 'GET\r\nX: y' }, 'GET'))).to.equal('GET')
  })
})
