import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import type { Browser } from 'playwright-core'
import { call, startTestServer, type TestServer } from '../../support/http_harness.ts'
import { launchChromium, requireChromiumOrSkip } from '../../support/chromium.ts'

// The docs page in a real browser (Debian's chromium driven by playwright-core): it must
// render every route from /openapi.json with no network but this service.
describe('GET /docs in a real browser', function () {
  this.timeout(60_000)
  let server: TestServer
  let browser: Browser

  before(async function () {
    requireChromiumOrSkip(this)
    server = await startTestServer()
    browser = await launchChromium()
  })

  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('serves the page with its assets from this origin only', async () => {
    const page = await call(server.url, '/docs')
    expect(page.status).to.equal(200)
    expect(page.headers.get('content-type')).to.match(/^text\/html/)
    expect(page.headers.get('content-security-policy')).to.contain("script-src 'self'")
    expect(String(page.body)).to.not.match(/https?:\/\//)
    for (const asset of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/init.js']) {
      expect((await call(server.url, asset)).status, asset).to.equal(200)
    }
    expect((await call(server.url, '/docs/package.json')).status).to.equal(404)
  })

  it('renders every route of the API, with no failed request and no script error', async () => {
    const page = await browser.newPage()
    const failures: string[] = []
    page.on('requestfailed', (request) => failures.push(`${request.url()} ${request.failure()?.errorText}`))
    page.on('pageerror', (error) => failures.push(error.message))
    await page.goto(`${server.url}/docs`)
    await page.waitForSelector('.opblock', { timeout: 30_000 })
    const text = await page.locator('#swagger-ui').innerText()
    for (
      const route of [
        '/registration',
        '/login',
        '/fresh-login',
        '/token/refresh',
        '/logout/all',
        '/secret',
        '/users/{username}',
        '/item/{name}',
        '/readyz',
      ]
    ) {
      expect(text, route).to.contain(route)
    }
    expect(await page.locator('.opblock').count()).to.be.greaterThan(15)
    const groups = (await page.locator('.opblock-tag').allInnerTexts()).map((text) => text.split('\n')[0]!.trim())
    expect(groups).to.deep.equal(['accounts', 'tokens', 'users', 'items', 'keys', 'operations'])
    expect(await page.locator('.authorize').count()).to.be.greaterThan(0)
    expect(failures).to.deep.equal([])
  })

  it('tries a request out against this same service', async () => {
    const page = await browser.newPage()
    // The deep link opens the operation; tryItOutEnabled shows Execute at once.
    await page.goto(`${server.url}/docs#/operations/get_healthz`)
    const operation = page.locator('#operations-operations-get_healthz')
    await operation.locator('.execute').waitFor({ timeout: 30_000 })
    await operation.locator('.execute').click()
    // The live response row (the table's header row also has the status class).
    const status = operation.locator('.live-responses-table tr.response .response-col_status')
    await status.waitFor({ timeout: 15_000 })
    expect((await status.innerText()).trim()).to.equal('200')
    expect(await operation.locator('.live-responses-table').innerText()).to.contain('"status": "ok"')
  })
})
