import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import type { Browser, Page } from 'playwright-core'
import { call, startTestServer, type TestServer } from '../../support/http_harness.ts'
import { FakeClock } from '../../support/fake_clock.ts'
import { launchChromium, requireChromiumOrSkip } from '../../support/chromium.ts'

const PASSWORD = 'correct horse battery'

/** Serves one small HTML page on `host`, on a free port; answers its origin. */
async function servePage(host: string, html: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end(html)
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  return { origin: `http://${host}:${(server.address() as AddressInfo).port}`, server }
}

/** The API as a page script calls it: fetch with credentials, answering status and JSON body. */
const API_CLIENT = `<!doctype html><meta charset="utf-8"><title>app</title><script>
  let csrf = ''
  async function api(path, method = 'GET', body) {
    const headers = {}
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (method !== 'GET') headers['x-csrf-token'] = csrf
    const response = await fetch(window.API + path, { method, credentials: 'include', headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const json = await response.json().catch(() => undefined)
    if (json && json.csrf_token) csrf = json.csrf_token
    return { status: response.status, body: json }
  }
</script>`

// The cookie mode in Debian's chromium (as /docs is tested): a single-page app on a second
// origin listed in CORS_ORIGINS signs up, logs in, calls /secret, outlives its access token and
// refreshes, lists its sessions and logs out, and its scripts never see a token; a page on a
// cross-site origin (another loopback address) cannot log it out or change its password.
describe('Cookie mode in a real browser', function () {
  this.timeout(60_000)
  let api: TestServer
  let app: { origin: string; server: Server }
  let evil: { origin: string; server: Server }
  let browser: Browser
  let page: Page
  const clock = new FakeClock()

  before(async function () {
    requireChromiumOrSkip(this)
    app = await servePage('127.0.0.1', API_CLIENT)
    api = await startTestServer({ TOKEN_LOCATION: 'cookies', CORS_ORIGINS: app.origin }, { clock })
    evil = await servePage(
      '127.0.0.2',
      `<!doctype html><meta charset="utf-8"><title>evil</title>
      <form id="f" method="POST" action="${api.url}/logout/all"><input name="x" value="1"></form>`,
    )
    browser = await launchChromium()
    page = await (await browser.newContext()).newPage()
    await page.goto(app.origin)
    await page.evaluate((url) => {
      ;(window as unknown as { API: string }).API = url
    }, api.url)
  })

  after(async () => {
    await browser?.close()
    await api?.close()
    for (const each of [app, evil]) await new Promise((resolve) => each?.server.close(resolve))
  })

  // deno-lint-ignore no-explicit-any
  const run = (path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> =>
    page.evaluate(
      ([p, m, b]) => (window as unknown as { api: (...args: unknown[]) => Promise<never> }).api(p, m, b),
      [path, method, body] as const,
    )
  const documentCookie = () => page.evaluate(() => document.cookie)

  it('signs up, logs in and calls /secret with cookies only; document.cookie never shows a token', async () => {
    const registered = await run('/registration', 'POST', { username: 'browser_user', password: PASSWORD })
    expect(registered.status).to.equal(201)
    expect(Object.keys(registered.body).sort()).to.deep.equal(['csrf_token', 'message'])
    const logged = await run('/login', 'POST', { username: 'browser_user', password: PASSWORD })
    expect(logged.status).to.equal(200)
    expect((await run('/secret')).body).to.deep.equal({ answer: 42 })
    const visible = await documentCookie()
    expect(visible).to.not.match(/eyJ/)
    expect(visible).to.not.include('hexauth-access').and.not.include('hexauth-refresh')
    const cookies = await page.context().cookies(api.url)
    const access = cookies.find((cookie) => cookie.name.endsWith('hexauth-access'))
    expect(access).to.deep.include({ httpOnly: true, sameSite: 'Lax', path: '/' })
    const refresh = (await page.context().cookies(`${api.url}/token/refresh`)).find((cookie) =>
      cookie.name.endsWith('hexauth-refresh')
    )
    expect(refresh).to.deep.include({ httpOnly: true, path: '/token/refresh' })
  })

  it('outlives its access token and refreshes it from the refresh cookie, keeping one CSRF value', async () => {
    clock.advance(16 * 60_000) // the access token's 15 minutes are over, by the server's clock
    const expired = await run('/secret')
    expect([expired.status, expired.body.error]).to.deep.equal([401, 'token_expired'])
    const before = (await page.context().cookies(api.url)).find((cookie) => cookie.name.endsWith('hexauth-csrf'))?.value
    const refreshed = await run('/token/refresh', 'POST', {})
    expect(refreshed.status, JSON.stringify(refreshed.body)).to.equal(200)
    expect(refreshed.body.csrf_token).to.equal(before)
    expect((await run('/secret')).status).to.equal(200)
    expect(await documentCookie()).to.not.match(/eyJ/)
  })

  it("lists its sessions: the registration's and the login's, this one current", async () => {
    const listed = await run('/sessions')
    expect(listed.status).to.equal(200)
    expect(listed.body.sessions.map((session: { current: boolean }) => session.current).sort()).to.deep.equal([
      false,
      true,
    ])
    expect(listed.body.sessions[0].user_agent).to.match(/Chrome/)
  })

  it('is not logged out or changed by a cross-site page posting a form to /logout/all and fetching /password', async () => {
    const evilPage = await page.context().newPage()
    await evilPage.goto(evil.origin)
    const answer = evilPage.waitForResponse((response) => response.url().endsWith('/logout/all'))
    await evilPage.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit())
    const refused = await answer
    expect(refused.status()).to.equal(403)
    expect(await refused.json()).to.deep.include({ error: 'csrf_failed' })
    await evilPage.goto(evil.origin) // the form navigated the page away: back to the cross-site origin
    expect(await evilPage.evaluate(() => location.origin)).to.equal(evil.origin)
    const fetched = await evilPage.evaluate(async (url) => {
      const outcomes: string[] = []
      // A JSON fetch needs a preflight this origin does not pass: the browser never sends it.
      await fetch(`${url}/password`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ current_password: 'x', new_password: 'attacker passphrase' }),
      }).then((r) => outcomes.push(String(r.status)), () => outcomes.push('blocked'))
      // A "simple" one is sent (its answer unreadable): the server refuses it all the same.
      await fetch(`${url}/password`, { method: 'POST', mode: 'no-cors', credentials: 'include', body: 'x' })
        .then(() => outcomes.push('sent'), () => outcomes.push('blocked'))
      return outcomes
    }, api.url)
    expect(fetched).to.deep.equal(['blocked', 'sent'])
    await evilPage.close()
    expect((await run('/secret')).status).to.equal(200)
    expect((await run('/sessions')).body.sessions).to.have.length(2)
    const metrics: string = (await call(api.url, '/metrics')).body
    expect(metrics).to.match(/hexauth_audit_events_total\{event="csrf_failed"\} 2/)
    expect(metrics).to.match(/hexauth_audit_events_total\{event="password_changed"\} 0/)
  })

  it('logs out: the session revoked, every cookie cleared, /secret refused', async () => {
    const out = await run('/logout', 'POST', {})
    expect(out.status).to.equal(200)
    const left = (await page.context().cookies(api.url)).map((cookie) => cookie.name)
    expect(left.filter((name) => name.includes('hexauth'))).to.deep.equal([])
    expect(await documentCookie()).to.not.include('hexauth')
    expect((await run('/secret')).status).to.equal(401)
  })
})
