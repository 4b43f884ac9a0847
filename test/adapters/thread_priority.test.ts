import { readdirSync, readFileSync } from 'node:fs'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { lowerWorkerThreadPriority } from '../../src/adapters/thread_priority.ts'

/** The niceness of thread `tid` of this process, from /proc (field 19 of stat). */
function niceness(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

describe('lowerWorkerThreadPriority', function () {
  it('renices every thread but the main one, which keeps its priority', async function () {
    if (process.platform !== 'linux') {
      console.log('      skipped: thread priorities are set on Linux only')
      this.skip()
    }
    // In a child process: renicing is one-way for an unprivileged process, and mocha's own
    // threads should keep theirs.
    const { execFileSync } = await import('node:child_process')
    const script = `
      import { lowerWorkerThreadPriority } from ${
      JSON.stringify(new URL('../../src/adapters/thread_priority.ts', import.meta.url).href)
    }
      import { readdirSync, readFileSync } from 'node:fs'
      const nice = (tid) => { const s = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[16]) }
      const changed = await lowerWorkerThreadPriority(7)
      const others = readdirSync('/proc/self/task').map(Number).filter((tid) => tid !== process.pid)
      console.log(JSON.stringify({ changed, main: nice(process.pid), others: others.map(nice) }))`
    const out = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }),
    )
    expect(out.changed).to.be.greaterThan(3) // libuv's four pool threads at least
    expect(out.main).to.equal(0)
    expect(out.others.filter((n: number) => n === 7).length).to.equal(out.changed)
  })

  it('reads niceness the way the child does (the helper above is sound)', () => {
    expect(niceness(process.pid)).to.equal(0)
    expect(readdirSync('/proc/self/task').length).to.be.greaterThan(1)
    expect(lowerWorkerThreadPriority).to.be.a('function')
  })
})
