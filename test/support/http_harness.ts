import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { loadConfig } from '../../src/adapters/config.ts'
import { type AppContainer, type ContainerOverrides, createContainer, disposeContainer, HttpApp } from '../../src/adapters/container.ts'
import { createLogger } from '../../src/adapters/logger.ts'

/** A fixed signing secret for tests (never used outside them). */
export const TEST_SECRET = 'test-only-secret-0123456789-abcdefghijklmnopqrstuv'

/** Cheap argon2 parameters and a fixed secret: what most tests run with. */
export const TEST_ENV: Readonly<Record<string, string>> = {
  JWT_SECRET: TEST_SECRET,
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
  ARGON2_PARALLELISM: '1',
  ADMIN_USERNAMES: 'admin',
  LOG_LEVEL: 'silent',
}

/** A hexauth app listening on a free loopback port. */
export interface TestServer {
  readonly url: string
  readonly container: AppContainer
  close(): Promise<void>
}

/** Starts the real Koa app over a real socket with `env` on top of {@linkcode TEST_ENV}. */
export async function startTestServer(
  env: Readonly<Record<string, string>> = {},
  overrides: ContainerOverrides = {},
): Promise<TestServer> {
  const config = loadConfig({ ...TEST_ENV, ...env })
  const container = createContainer(config, createLogger(config.logLevel), overrides)
  const app = await container.getAsync(HttpApp)
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    container,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await disposeContainer(container)
    },
  }
}

/** What {@linkcode call} sends. */
export interface CallOptions {
  readonly method?: string
  readonly token?: string
  /** Sent as JSON. */
  readonly json?: unknown
  /** Sent as is (with `contentType`). */
  readonly raw?: string
  readonly contentType?: string
  readonly headers?: Readonly<Record<string, string>>
}

/** A response: status, headers and the parsed JSON body (or `undefined`). */
export interface CallResult {
  readonly status: number
  readonly headers: Headers
  // deno-lint-ignore no-explicit-any
  readonly body: any
}

/** Sends one request to the test server. */
export async function call(base: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  let body: string | undefined
  if (options.json !== undefined) {
    body = JSON.stringify(options.json)
    headers['content-type'] = options.contentType ?? 'application/json'
  } else if (options.raw !== undefined) {
    body = options.raw
    if (options.contentType !== undefined) headers['content-type'] = options.contentType
  }
  const method = options.method ?? (body === undefined ? 'GET' : 'POST')
  const response = await fetch(base + path, { method, headers, body })
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {
    parsed = text
  }
  return { status: response.status, headers: response.headers, body: parsed }
}

/** Registers `username` and returns its tokens; throws unless the answer is 201. */
export async function register(base: string, username: string, password = 'correct horse battery'): Promise<{
  accessToken: string
  refreshToken: string
}> {
  const result = await call(base, '/registration', { json: { username, password } })
  if (result.status !== 201) throw new Error(`registration of ${username} answered ${result.status}`)
  return { accessToken: result.body.access_token, refreshToken: result.body.refresh_token }
}
