import { type AddressInfo, connect } from 'node:net'
import type { Server } from 'node:http'
import { expect } from 'chai'
import { loadConfig } from '../../src/adapters/config.ts'
import {
  type AppContainer,
  type ContainerOverrides,
  createContainer,
  disposeContainer,
  HttpApp,
} from '../../src/adapters/container.ts'
import { createLogger, type Logger } from '../../src/adapters/logger.ts'
import { MemoryKeyStore } from '../../src/adapters/memory/key_store.ts'
import { RegisterUser } from '../../src/application/register_user.ts'

/** A fixed HS256 signing secret for the tests of that mode (never used outside them). */
export const TEST_SECRET = 'test-only-secret-Qm4vT9xK2pW7nL0sR5bH8cJ3fY6dG1z'

/** A fixed key encryption secret for tests (never used outside them). */
export const TEST_KEY_ENCRYPTION_SECRET = 'test-only-key-sealing-Hq3wZ8rV1tN6yB4mK7pL2xC9'

/**
 * Cheap argon2 parameters and the default signing (ES256 keys, generated at start): what most
 * tests run with. The tests of HS256 add `JWT_SECRET: TEST_SECRET`.
 */
export const TEST_ENV: Readonly<Record<string, string>> = {
  KEY_ENCRYPTION_SECRET: TEST_KEY_ENCRYPTION_SECRET,
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
  ARGON2_PARALLELISM: '1',
  ADMIN_USERNAMES: 'admin',
  LOG_LEVEL: 'silent',
  // Suites send hundreds of logins from one address; the rate-limit suite turns limits on.
  RATE_LIMIT: 'off',
  // The same suites run on real stores when these are set (see .ci/run).
  ...process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {},
}

/**
 * The production configuration's brute-force limits, on, with budgets no test reaches: for the
 * suites of hostile input, so they run the code a deployment runs (limits included).
 */
export const PRODUCTION_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT: 'on',
  RATE_LIMIT_IP: '999999/1m',
  RATE_LIMIT_LOGIN_USER_IP: '999999/15m',
  RATE_LIMIT_LOGIN_USER: '999999/1d',
}

/** `MONGO_URL` with a database of its own, so test servers sharing one MongoDB never collide. */
export function isolatedMongoUrl(base: string): string {
  const url = new URL(base)
  url.pathname = `/hexauth_test_${crypto.randomUUID().replaceAll('-', '')}`
  return url.toString()
}

/**
 * The signing keys every test server shares unless told otherwise, as the instances of one
 * deployment share them in MongoDB: a token from one test server verifies on another.
 */
export const SHARED_TEST_KEYS = new MemoryKeyStore()

/** A hexauth app listening on a free loopback port. */
export interface TestServer {
  readonly url: string
  readonly container: AppContainer
  close(): Promise<void>
}

/**
 * Starts the real Koa app over a real socket with `env` on top of {@linkcode TEST_ENV}. Its
 * managed keys are {@linkcode SHARED_TEST_KEYS}, unless `overrides` names a `keyStore` (even
 * `undefined`: the configured one) or `env` a key file.
 */
export async function startTestServer(
  env: Readonly<Record<string, string>> = {},
  overrides: ContainerOverrides = {},
  logger?: Logger,
): Promise<TestServer> {
  // A key prefix of its own, so servers sharing one Redis never see each other's keys.
  const mongo = process.env.MONGO_URL ? { MONGO_URL: isolatedMongoUrl(process.env.MONGO_URL) } : {}
  const config = loadConfig({ ...TEST_ENV, ...mongo, REDIS_KEY_PREFIX: `test:${crypto.randomUUID()}:`, ...env })
  const shared = 'keyStore' in overrides || config.keys.mode === 'file' ? {} : { keyStore: SHARED_TEST_KEYS }
  const container = createContainer(config, logger ?? createLogger(config.logLevel), { ...shared, ...overrides })
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

/**
 * Creates an admin as an operator does (the CLI's `register` of an `ADMIN_USERNAMES` name:
 * no HTTP route can), then logs it in over HTTP and returns its tokens.
 */
export async function registerAdmin(server: TestServer, username = 'admin', password = 'admin-password'): Promise<{
  accessToken: string
  refreshToken: string
}> {
  await (await server.container.getAsync(RegisterUser)).execute({ username, password }, { byOperator: true })
  return login(server.url, username, password)
}

/** Logs `username` in and returns its tokens; throws unless the answer is 200. */
export async function login(base: string, username: string, password = 'correct horse battery'): Promise<{
  accessToken: string
  refreshToken: string
}> {
  const result = await call(base, '/login', { json: { username, password } })
  if (result.status !== 200) {
    throw new Error(`login of ${username} answered ${result.status} ${JSON.stringify(result.body)}`)
  }
  return { accessToken: result.body.access_token, refreshToken: result.body.refresh_token }
}

/**
 * POSTs to a token-only route (`/token/refresh`, `/logout/*`) with `{}` as a JSON body, so a
 * test of what the route does never depends on how the app treats a request without a body
 * (tested on its own).
 */
export function postWithToken(base: string, path: string, token: string): Promise<CallResult> {
  return call(base, path, { method: 'POST', token, json: {} })
}

/** The usernames `GET /users` lists; throws unless the answer is 200. */
export async function listUsernames(base: string, adminToken: string): Promise<string[]> {
  const result = await call(base, '/users', { token: adminToken })
  if (result.status !== 200) throw new Error(`GET /users answered ${result.status}`)
  return (result.body.users as { username: string }[]).map((user) => user.username)
}

/** What {@linkcode callRaw} sends: exactly these header lines and bytes, nothing added. */
export interface RawRequest {
  readonly method: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
}

/**
 * Sends one hand-written HTTP/1.1 request over a socket. Unlike `fetch`, it adds no header of
 * its own (no `Content-Length: 0` on an empty POST), for requests a real client may send.
 */
export async function callRaw(base: string, path: string, request: RawRequest): Promise<CallResult> {
  const { hostname, port } = new URL(base)
  const head = Object.entries({ host: `${hostname}:${port}`, connection: 'close', ...request.headers })
    .map(([name, value]) => `${name}: ${value}\r\n`).join('')
  const reply: string = await new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect(Number(port), hostname, () => {
      // write, not end: a half-closed request socket makes Node drop the response.
      socket.write(`${request.method} ${path} HTTP/1.1\r\n${head}\r\n${request.body ?? ''}`)
    })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.on('error', reject)
  })
  return parseRawResponse(reply)
}

function parseRawResponse(reply: string): CallResult {
  const split = reply.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = reply.slice(0, split).split('\r\n')
  const headers = new Headers()
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  // Koa sends JSON with a Content-Length, so the body is the rest of the reply as is.
  const text = reply.slice(split + 4)
  let body: unknown
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = text
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body }
}

/**
 * Asserts an error answer: `status`, and a body that is exactly `{error: code, message}`, plus
 * `fields` naming exactly `fields` when given.
 */
export function expectError(result: CallResult, status: number, code: string, fields?: readonly string[]): void {
  expect(result.status, JSON.stringify(result.body)).to.equal(status)
  expect(result.body).to.be.an('object')
  expect(result.body.error).to.equal(code)
  expect(result.body.message).to.be.a('string').that.is.not.empty
  if (fields === undefined) {
    expect(Object.keys(result.body)).to.have.members(['error', 'message'])
    return
  }
  expect(Object.keys(result.body)).to.have.members(['error', 'message', 'fields'])
  expect(Object.keys(result.body.fields)).to.have.members([...fields])
  for (const why of Object.values(result.body.fields)) expect(why).to.be.a('string').that.is.not.empty
}
