import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { PassThrough, Readable, Writable } from 'node:stream'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { PromptInterrupted, readPassword } from '../../../src/adapters/cli/password_prompt.ts'
import { CLI_ENV, ROOT } from '../../support/cli_harness.ts'
import { rejectsWith } from '../../support/core_fixtures.ts'
import { requireOrSkip } from '../../support/requirements.ts'

/** A terminal stand-in: readline puts it in raw mode as it would a real one. */
class FakeTerminal extends PassThrough {
  readonly isTTY = true
  readonly modes: boolean[] = []
  setRawMode(mode: boolean): this {
    this.modes.push(mode)
    return this
  }
}

function terminal(): {
  stdin: FakeTerminal
  stderr: Writable
  shown: () => string
  type: (after: string, keys: string) => Promise<void>
} {
  let shown = ''
  const stdin = new FakeTerminal()
  const stderr = new Writable({
    write(chunk, _encoding, done) {
      shown += chunk
      done()
    },
  })
  // Types `keys` once `after` has been shown, as a person answers a prompt.
  const type = async (after: string, keys: string) => {
    for (let i = 0; i < 100 && !shown.includes(after); i++) await new Promise((r) => setTimeout(r, 5))
    stdin.write(keys)
  }
  return { stdin, stderr, shown: () => shown, type }
}

const piped = (text: string | Buffer) => ({ stdin: Readable.from([Buffer.from(text)]), stderr: new PassThrough() })

describe('readPassword', () => {
  describe('on a terminal', () => {
    it('shows the prompt on stderr, echoes nothing typed and restores the terminal mode', async () => {
      const t = terminal()
      const typed = t.type('Password: ', 'hunter2-hunter2\r')
      expect(await readPassword(t, { confirm: false })).to.equal('hunter2-hunter2')
      await typed
      expect(t.shown()).to.include('Password: ')
      expect(t.shown()).to.not.include('hunter2')
      expect(t.stdin.modes).to.deep.equal([true, false])
    })

    it('asks twice with confirm, and lets readline edit the line', async () => {
      const t = terminal()
      void t.type('Password: ', 'correct horsf\x7fe\r').then(() => t.type('Repeat password: ', 'correct horse\r'))
      expect(await readPassword(t, { confirm: true })).to.equal('correct horse')
      expect(t.shown()).to.not.include('correct')
    })

    it('refuses two different entries with invalid_request', async () => {
      const t = terminal()
      void t.type('Password: ', 'correct horse\r').then(() => t.type('Repeat password: ', 'correct hose\r'))
      const error = await rejectsWith(readPassword(t, { confirm: true }), 'invalid_request')
      expect(error.message).to.equal('Invalid password: the two entries differ')
    })

    it('refuses an empty entry, and end of input, with invalid_request', async () => {
      for (const keys of ['\r', '\x04']) {
        const t = terminal()
        void t.type('Password: ', keys)
        const error = await rejectsWith(readPassword(t, { confirm: true }), 'invalid_request')
        expect(error.fields).to.deep.equal({ password: 'is required' })
        expect(t.stdin.modes.at(-1)).to.equal(false)
      }
    })

    it('stops on Ctrl-C with PromptInterrupted and restores the terminal mode', async () => {
      const t = terminal()
      void t.type('Password: ', 'half typed\x03')
      const error = await readPassword(t, { confirm: false }).then(() => undefined, (e: unknown) => e)
      expect(error).to.be.instanceOf(PromptInterrupted)
      expect(t.stdin.modes).to.deep.equal([true, false])
      expect(t.shown()).to.not.include('half')
    })
  })

  describe('from a pipe', () => {
    it('reads the one line standard input holds, without its line ending, spaces kept', async () => {
      for (const text of [' pass word \n', ' pass word \r\n', ' pass word ']) {
        expect(await readPassword(piped(text), { confirm: true }), JSON.stringify(text)).to.equal(' pass word ')
      }
    })

    it('refuses an empty input, more than one line, too long an input and invalid UTF-8', async () => {
      const cases: [string | Buffer, string][] = [
        ['', 'is required'],
        ['\n', 'is required'],
        ['first line\nsecond line\n', 'must be one line'],
        ['x'.repeat(20_000), 'is too long'],
        [Buffer.from([0x70, 0x77, 0xff, 0xfe, 0x0a]), 'must be valid UTF-8 text'],
      ]
      for (const [text, why] of cases) {
        const error = await rejectsWith(readPassword(piped(text), { confirm: false }), 'invalid_request')
        expect(error.fields, why).to.deep.equal({ password: why })
      }
    })
  })

  describe('on a real terminal (script(1) gives the CLI a pseudo-terminal)', () => {
    it('registers with a password typed twice at the prompt, and nothing typed appears', async function () {
      requireOrSkip(
        this,
        'script',
        spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0,
        'no script(1) (util-linux) to open a pseudo-terminal',
      )
      const command = `'${process.execPath}' --import tsx src/adapters/cli/main.ts register alice`
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, ...CLI_ENV },
      })
      let shown = ''
      child.stdout.on('data', (chunk) => {
        shown += chunk
      })
      const exited = once(child, 'exit')
      const answer = async (after: string, keys: string) => {
        for (let i = 0; i < 400 && !shown.includes(after); i++) await new Promise((r) => setTimeout(r, 25))
        child.stdin.write(keys)
      }
      await answer('Password: ', 'hunter2-hunter2\r')
      await answer('Repeat password: ', 'hunter2-hunter2\r')
      const [code] = await exited
      expect(code, shown).to.equal(0)
      expect(shown).to.include('User alice was created')
      expect(shown).to.not.include('hunter2')
    })
  })
})
