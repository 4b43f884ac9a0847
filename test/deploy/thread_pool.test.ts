import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { loadConfig } from '../../src/adapters/config.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

// argon2 and jose's WebCrypto share libuv's thread pool, which libuv sizes from
// UV_THREADPOOL_SIZE once, when it starts: before any of hexauth's code runs. So every way
// hexauth is started must put it in the environment, above the hashing concurrency.
describe('the thread pool, wherever hexauth starts', () => {
  it('is larger than the hashing concurrency under npm start, as a real process shows', async function () {
    if (process.platform !== 'linux') this.skip() // threads are counted in /proc
    const child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      // No UV_THREADPOOL_SIZE from the caller: the start script's default is under test.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout!.on('data', (chunk) => {
      output += chunk
    })
    child.stderr!.on('data', (chunk) => {
      output += chunk
    })
    let pid: number | undefined
    try {
      let started: Record<string, number> | undefined
      for (let i = 0; i < 300 && started === undefined; i++) {
        const line = output.split('\n').find((text) => text.includes('"threadpool"'))
        if (line !== undefined) started = JSON.parse(line)
        else await new Promise((r) => setTimeout(r, 50))
      }
      expect(started, output).to.not.equal(undefined)
      pid = started!.pid
      expect(started!.threadpool).to.equal(16)
      expect(started!.argon2_concurrency).to.be.at.most(started!.threadpool! - 2)
      // Hashing starts the pool; libuv then runs all of its threads.
      const answer = await fetch(`http://127.0.0.1:${started!.port}/registration`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'pool_probe', password: 'correct horse battery' }),
      })
      expect(answer.status).to.equal(201)
      expect(readdirSync(`/proc/${pid}/task`).length).to.be.at.least(16)
    } finally {
      if (pid !== undefined) process.kill(pid, 'SIGTERM')
      else child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })

  it("is set in the image, and the image's hashing default fits under it", () => {
    const runtime = readFileSync(resolve(root, 'Dockerfile'), 'utf8').split(/^FROM /m).at(-1)!
    const size = /UV_THREADPOOL_SIZE=(\d+)/.exec(runtime)
    expect(size, 'ENV UV_THREADPOOL_SIZE in the runtime stage').to.not.equal(null)
    const config = loadConfig({ UV_THREADPOOL_SIZE: size![1]! })
    expect(config.argon2Concurrency).to.be.at.most(config.threadPoolSize - 2)
  })
})
