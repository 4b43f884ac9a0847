import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import { expect } from 'chai'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

interface Started {
  readonly child: ChildProcess
  readonly output: () => string
}

function startMain(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => { output += chunk })
  child.stderr!.on('data', (chunk) => { output += chunk })
  return { child, output: () => output }
}

async function waitFor(started: Started, pattern: RegExp): Promise<RegExpMatchArray> {
  for (let i = 0; i < 200; i++) {
    const match = started.output().match(pattern)
    if (match !== null) return match
    if (started.child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`never printed ${pattern}; output:\n${started.output()}`)
}

describe('main', () => {
  it('serves on the configured port and warns that memory stores persist nothing', async () => {
    const started = startMain({})
    try {
      const [, port] = await waitFor(started, /listening on http:\/\/127\.0\.0\.1:(\d+)/)
      const health = await fetch(`http://127.0.0.1:${port}/healthz`)
      expect(health.status).to.equal(200)
      expect(started.output()).to.match(/in-memory stores/)
      expect(started.output()).to.match(/JWT_SECRET is not set/)
    } finally {
      started.child.kill('SIGTERM')
      await once(started.child, 'exit')
    }
  })

  it('exits on SIGTERM with status 0', async () => {
    const started = startMain({ JWT_SECRET: 'a-perfectly-random-looking-secret-Zq8xW2pL0vN7' })
    await waitFor(started, /listening on/)
    started.child.kill('SIGTERM')
    const [code] = await once(started.child, 'exit')
    expect(code).to.equal(0)
    expect(started.output()).to.not.match(/JWT_SECRET is not set/)
  })

  it('refuses to start with a published default JWT_SECRET, naming the variable', async () => {
    const started = startMain({ JWT_SECRET: 'jwt-secret-string' })
    const [code] = await once(started.child, 'exit')
    expect(code).to.equal(78)
    expect(started.output()).to.match(/Invalid configuration: JWT_SECRET/)
    expect(started.output()).to.not.match(/listening/)
  })
})
