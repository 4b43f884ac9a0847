import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { denoBinary } from '../support/deno_binary.ts'
import { requireOrSkip } from '../support/requirements.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

describe('hexauth/testing under Deno', function () {
  this.timeout(90_000)

  it('starts two instances, makes an admin token that GET /users accepts and jose verifies, revokes, stops, and lets Deno exit', async function () {
    const deno = denoBinary()
    requireOrSkip(
      this,
      'deno',
      deno !== undefined,
      'no deno binary (npm install brings one with the deno devDependency, or put deno on PATH)',
    )
    // Every permission: the kit is test code, run as the team's test runner runs it.
    const child = spawn(deno!, ['run', '--allow-all', '--no-prompt', 'test/deno/kit_script.ts'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    // Killed after 60 s: a handle left open after stop() would keep Deno running.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    const [code, signal] = await once(child, 'exit') as [number | null, string | null]
    clearTimeout(timer)
    expect({ code, signal }, stderr).to.deep.equal({ code: 0, signal: null })
    expect(JSON.parse(stdout.trim())).to.deep.equal({
      users: 200,
      isAdmin: true,
      elsewhere: 401,
      revoked: 'token_revoked',
    })
  })
})
