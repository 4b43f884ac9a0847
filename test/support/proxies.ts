import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './redis_server.ts'

/** The reverse proxies whose shipped configurations the suite runs. */
export type ProxyKind = 'nginx' | 'caddy'

const DEPLOY = new URL('../../deploy/forward-auth/', import.meta.url)

/** Whether `binary` runs here (`nginx -v`, `caddy version`). */
export function proxyOnPath(kind: ProxyKind): boolean {
  return spawnSync(kind, kind === 'nginx' ? ['-v'] : ['version'], { stdio: 'ignore' }).status === 0
}

/** What the echo upstream received: one entry per request or upgrade that reached it. */
export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
}

/** A small upstream that answers every request with the headers it received, as JSON. */
export interface EchoUpstream {
  readonly address: string
  readonly received: Received[]
  /** TCP connections accepted so far: a proxy that reuses its connections opens few. */
  readonly connections: number
  close(): Promise<void>
}

/** Starts the echo upstream; a WebSocket upgrade is answered 101 with the identity it saw. */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    req.resume()
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }))
  })
  server.on('upgrade', (req, socket) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64')
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n` +
        `X-Echo-Username: ${req.headers['x-auth-username'] ?? ''}\r\n\r\nupgraded`,
    )
    socket.end()
  })
  let connections = 0
  server.on('connection', () => connections++)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    get connections() {
      return connections
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** A proxy process this suite owns, listening on `url`. */
export interface RunningProxy {
  readonly url: string
  stop(): Promise<void>
}

/**
 * Starts `kind` with the shipped configuration rendered for a free port, in front of
 * `hexauth` and `app` (host:port each), in a directory of its own; it never runs as a service.
 */
export function startProxy(kind: ProxyKind, hexauth: string, app: string): Promise<RunningProxy> {
  return launch(
    kind,
    (dir, port) =>
      kind === 'nginx' ? spawnNginx(dir, nginxSite(port, hexauth, app)) : spawnCaddy(dir, port, hexauth, app),
  )
}

/** nginx in front of `app` with no authentication at all, configured as the shipped file proxies: the benchmark's baseline. */
export function startPlainNginx(app: string): Promise<RunningProxy> {
  return launch(
    'nginx',
    (dir, port) =>
      spawnNginx(
        dir,
        `upstream plain_app {\n  server ${app};\n  keepalive 32;\n}\nserver {\n  listen 127.0.0.1:${port};\n` +
          `  location / {\n    proxy_set_header Host $host;\n    proxy_http_version 1.1;\n    proxy_set_header Connection "";\n    proxy_pass http://plain_app;\n  }\n}\n`,
      ),
  )
}

async function launch(kind: ProxyKind, spawnIn: (dir: string, port: number) => ChildProcess): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), `hexauth-${kind}-`))
  const port = await freePort()
  const child = spawnIn(dir, port)
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
    rmSync(dir, { recursive: true, force: true })
  }
  // Up to 10 s: caddy takes a few hundred ms on a quiet machine, longer on a loaded one.
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) break
    if (await accepts(port)) return { url: `http://127.0.0.1:${port}`, stop }
    await new Promise((r) => setTimeout(r, 25))
  }
  await stop()
  throw new Error(`${kind} did not start on port ${port}: ${output}`)
}

/** The shipped template as the official image's envsubst fills it: only the variables given, nginx's own left alone. */
function nginxSite(port: number, hexauth: string, app: string): string {
  const template = readFileSync(new URL('nginx.conf.template', DEPLOY), 'utf8')
  return template.replaceAll('${HEXAUTH_ADDRESS}', hexauth).replaceAll('${APP_ADDRESS}', app).replaceAll(
    '${LISTEN_PORT}',
    `127.0.0.1:${port}`,
  )
}

function spawnNginx(dir: string, site: string): ChildProcess {
  writeFileSync(join(dir, 'site.conf'), site)
  for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp))
  // One process, no user switch, every path in the directory: nothing of the system nginx is used.
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;\nmaster_process off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\n` +
      `events { worker_connections 512; }\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n` +
      `  fastcgi_temp_path ${dir}/fastcgi;\n  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n  include ${dir}/site.conf;\n}\n`,
  )
  return spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function spawnCaddy(dir: string, port: number, hexauth: string, app: string): ChildProcess {
  // Global options for a test run: no admin endpoint (several may run), no certificates.
  const shipped = readFileSync(new URL('Caddyfile', DEPLOY), 'utf8')
  writeFileSync(join(dir, 'Caddyfile'), `{\n\tadmin off\n\tauto_https off\n}\n\n${shipped}`)
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    XDG_DATA_HOME: dir,
    XDG_CONFIG_HOME: dir,
    SITE_ADDRESS: `http://127.0.0.1:${port}`,
    HEXAUTH_ADDRESS: hexauth,
    APP_ADDRESS: app,
  }
  return spawn('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

async function accepts(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

/** Sends a WebSocket upgrade through `base` and answers the status line and headers that came back. */
export async function upgrade(
  base: string,
  path: string,
  headers: Readonly<Record<string, string>>,
): Promise<{ status: number; head: string }> {
  const { hostname, port } = new URL(base)
  const lines = Object.entries({
    host: `${hostname}:${port}`,
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-version': '13',
    ...headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  const reply: string = await new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect(Number(port), hostname, () => socket.write(`GET ${path} HTTP/1.1\r\n${lines}\r\n`))
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      const text = Buffer.concat(chunks).toString('utf8')
      // Enough read: an upgraded stream, or a refusal's head (the proxy may keep the socket open).
      if (text.includes('upgraded') || (text.includes('\r\n\r\n') && !text.startsWith('HTTP/1.1 101'))) {
        socket.destroy()
        resolve(text)
      }
    })
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.on('error', reject)
  })
  return { status: Number(reply.split(' ')[1]), head: reply.slice(0, reply.indexOf('\r\n\r\n')) }
}
