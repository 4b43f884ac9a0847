import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import { expect } from 'chai'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Whether `pid` still runs: a zombie (killed, not yet reaped) does not. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

/** Whether `pid` ends within a generous bound: a SIGKILL takes effect asynchronously. */
async function ends(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!running(pid)) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return false
}

/** Runs the miniature benchmark until it ends `how`; answers its exit code, its child's PID and whether its stop hook ran. */
async function run(how: 'normal' | 'throw' | 'reject' | 'signal') {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-bench-run-'))
  const marker = join(dir, 'stopped')
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/bench_run.ts', how, marker], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = once(child, 'exit') as Promise<[number | null]>
    let output = ''
    child.stdout!.on('data', (chunk) => {
      output += chunk
    })
    child.stderr!.resume()
    let pid: number | undefined
    for (let i = 0; i < 200 && pid === undefined; i++) {
      pid = Number(/pid=(\d+)/.exec(output)?.[1]) || undefined
      if (pid === undefined) await new Promise((r) => setTimeout(r, 25))
    }
    if (how === 'signal') child.kill('SIGINT')
    const [code] = await exited
    return { code, pid: pid!, stopped: existsSync(marker) && readFileSync(marker, 'utf8') === 'stopped' }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('bench/processes.ts', () => {
  for (const how of ['normal', 'throw', 'reject', 'signal'] as const) {
    it(`kills every process the run started and runs its stop hooks when the run ends: ${how}`, async () => {
      const { code, pid, stopped } = await run(how)
      expect(pid, 'the child was started').to.be.a('number')
      expect(code).to.equal({ normal: 0, throw: 1, reject: 1, signal: 130 }[how])
      expect(await ends(pid), `sleep (pid ${pid}) outlived the run`).to.equal(true)
      expect(stopped).to.equal(true)
    })
  }
})
