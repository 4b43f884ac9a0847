import { after, before, describe, it } from 'mocha'
import { expect } from 'chai'
import {
  call,
  type CallResult,
  login,
  postWithToken,
  register,
  registerAdmin,
  startTestServer,
  type TestServer,
} from '../../support/http_harness.ts'

interface Documented {
  readonly security?: readonly Record<string, unknown>[]
  readonly description?: string
  readonly requestBody?: unknown
  readonly responses: Record<string, unknown>
}

// The document is held to what the app does, operation by operation: a wrong auth claim or a
// status the route answers but the document omits fails here, whatever table produced both.
describe('GET /openapi.json against the running app', () => {
  let server: TestServer
  let doc: { paths: Record<string, Record<string, Documented>> }

  before(async () => {
    server = await startTestServer()
    doc = (await call(server.url, '/openapi.json')).body
    await register(server.url, 'doc_user')
    await registerAdmin(server)
  })

  /** A token of `kind` of its own for each probe: a probe of a logout route revokes the one it sends. */
  type Kind = 'none' | 'fresh' | 'stale' | 'refresh' | 'admin' | 'garbage'
  async function token(kind: Kind): Promise<string | undefined> {
    if (kind === 'none') return undefined
    if (kind === 'garbage') return 'not-a-token'
    const session = kind === 'admin' ? await loginAgain('admin', 'admin-password') : await loginAgain('doc_user')
    if (kind === 'refresh') return session.refreshToken
    if (kind === 'stale') {
      return (await postWithToken(server.url, '/token/refresh', session.refreshToken)).body.access_token
    }
    return session.accessToken
  }
  after(() => server.close())

  /**
   * Logs in. A probe of `POST /logout/all` revokes everything issued up to its millisecond; a
   * login that starts within that same millisecond is refused with `token_revoked` ("try
   * again", as the minter says), so this tries once more after that millisecond.
   */
  async function loginAgain(username: string, password?: string): ReturnType<typeof login> {
    try {
      return await login(server.url, username, password)
    } catch (error) {
      if (!String(error).includes('"token_revoked"')) throw error
      await new Promise((resolve) => setTimeout(resolve, 2))
      return login(server.url, username, password)
    }
  }

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method, path, op }))
    )
  // A concrete path for each template: an item and a user that exist, so routes answer past auth.
  const concrete = (path: string) => path.replace('{name}', 'doc-item').replace('{username}', 'doc_victim')
  async function send(method: string, path: string, kind: Kind, body?: unknown): Promise<CallResult> {
    if (method === 'post' && path === '/item/{name}' && body !== undefined) {
      await call(server.url, concrete(path), { method: 'DELETE', token: await token('admin') }) // so a create can succeed
    }
    const bearer = await token(kind)
    return call(server.url, concrete(path), {
      method: method.toUpperCase(),
      ...bearer === undefined ? {} : { token: bearer },
      ...body === undefined ? {} : { json: body },
    })
  }
  // Self-service bodies carry a wrong password: a probe must never change or delete doc_user.
  const bodyOf = (path: string, op: Documented) =>
    op.requestBody === undefined
      ? undefined
      : path.startsWith('/item')
      ? { price: 7 }
      : path === '/me'
      ? { password: 'not the password' }
      : path === '/password'
      ? { current_password: 'not the password', new_password: 'another long passphrase' }
      : { username: 'doc_user', password: 'correct horse battery' }

  it('answers 401 authorization_required without a token exactly where the document requires a bearer token', async () => {
    const needs: string[] = []
    const refusedAnonymous: string[] = []
    for (const { method, path, op } of operations()) {
      const required = op.security !== undefined && op.security.length > 0 &&
        op.security.every((entry) => 'bearer' in entry)
      if (required) needs.push(`${method} ${path}`)
      const answer = await send(method, path, 'none', bodyOf(path, op))
      if (answer.status === 401 && answer.body?.error === 'authorization_required') {
        refusedAnonymous.push(`${method} ${path}`)
      }
    }
    expect(refusedAnonymous.sort()).to.deep.equal(needs.sort())
    expect(needs).to.include.members(['post /logout/all', 'get /secret', 'delete /item/{name}'])
  })

  it('answers 403 admin_required to a plain user exactly where the document says the is_admin claim is needed', async () => {
    const admin: string[] = []
    const refused: string[] = []
    for (const { method, path, op } of operations()) {
      if (op.description?.includes('is_admin')) admin.push(`${method} ${path}`)
      const answer = await send(method, path, 'fresh', bodyOf(path, op))
      if (answer.status === 403 && answer.body?.error === 'admin_required') refused.push(`${method} ${path}`)
    }
    expect(refused.sort()).to.deep.equal(admin.sort())
    expect(admin).to.include.members(['get /users', 'delete /users', 'delete /users/{username}', 'delete /item/{name}'])
  })

  it('answers 401 fresh_token_required to a refreshed token exactly where the document says a fresh token is needed', async () => {
    const fresh: string[] = []
    const refused: string[] = []
    for (const { method, path, op } of operations()) {
      if (op.description?.includes('fresh access token')) fresh.push(`${method} ${path}`)
      const answer = await send(method, path, 'stale', bodyOf(path, op))
      if (answer.status === 401 && answer.body?.error === 'fresh_token_required') refused.push(`${method} ${path}`)
    }
    expect(refused.sort()).to.deep.equal(fresh.sort())
    expect(fresh.sort()).to.deep.equal(['delete /me', 'post /item/{name}'])
  })

  it('documents every status each operation answers, for callers with and without every kind of token and body', async () => {
    const undocumented: string[] = []
    // Safe operations first, destructive last, so each probe still finds what it needs.
    const order = (method: string) => (method === 'delete' ? 1 : 0)
    for (const { method, path, op } of operations().sort((a, b) => order(a.method) - order(b.method))) {
      if (method === 'delete' && path === '/users') continue // would wipe the accounts the other probes use; its 401/403 are probed above
      for (const kind of ['none', 'fresh', 'stale', 'refresh', 'garbage', 'admin'] as const) {
        for (
          const body of op.requestBody === undefined
            ? [undefined]
            : [undefined, {}, [], { username: 1 }, bodyOf(path, op)]
        ) {
          const answer = await send(method, path, kind, body)
          if (!(String(answer.status) in op.responses)) {
            undocumented.push(`${method} ${path} → ${answer.status} ${answer.body?.error ?? ''}`)
          }
        }
      }
    }
    expect([...new Set(undocumented)]).to.deep.equal([])
  })
})
