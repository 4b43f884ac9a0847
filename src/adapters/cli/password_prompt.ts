import { createInterface } from 'node:readline'
import { type Readable, Writable } from 'node:stream'
import { AuthError } from '../../domain/auth_error.ts'

/** Standard input: a terminal (with raw mode) or a pipe. */
export interface PromptInput extends Readable {
  readonly isTTY?: boolean
  setRawMode?(mode: boolean): unknown
}

/** Where the password comes from, and where the prompt goes (standard error: stdout stays clean). */
export interface PromptIo {
  readonly stdin: PromptInput
  readonly stderr: Writable
}

/** The user pressed Ctrl-C at the prompt. */
export class PromptInterrupted extends Error {
  override readonly name = 'PromptInterrupted'
}

/** Most bytes read from a piped standard input: four times the longest password in UTF-8. */
const MAX_PIPED_BYTES = 4 * 1024 * 4

/**
 * Reads a password, never from the command line: on a terminal from a prompt that does not
 * echo (asked twice with `confirm`), else the one line standard input holds. An empty one is
 * refused; the domain applies the length rules.
 * @throws `invalid_request`; {@linkcode PromptInterrupted} on Ctrl-C
 */
export async function readPassword(io: PromptIo, options: { readonly confirm: boolean }): Promise<string> {
  if (io.stdin.isTTY !== true) return refuseEmpty(await readPiped(io.stdin))
  const [password = '', again] = await askHidden(
    io,
    options.confirm ? ['Password: ', 'Repeat password: '] : ['Password: '],
  )
  if (again !== undefined && again !== password) {
    throw invalid('Invalid password: the two entries differ', 'must be typed the same twice')
  }
  return password
}

/** Asks on the terminal with echo off: readline edits the line, its output is muted. */
async function askHidden(io: PromptIo, prompts: readonly string[]): Promise<string[]> {
  let muted = false
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) io.stderr.write(chunk)
      callback()
    },
  })
  const rl = createInterface({ input: io.stdin, output: sink, terminal: true, historySize: 0 })
  let fail: (error: Error) => void = () => {}
  rl.on('SIGINT', () => fail(new PromptInterrupted('Cannot read password: interrupted')))
  rl.on('close', () => fail(invalid('Invalid password: it is required', 'is required')))
  const answers: string[] = []
  try {
    for (const prompt of prompts) {
      muted = false
      const answer = await new Promise<string>((resolve, reject) => {
        fail = reject
        rl.question(prompt, resolve)
        muted = true // after the prompt is written: nothing typed is echoed
      }).finally(() => io.stderr.write('\n')) // the Enter (or Ctrl-C) that was not echoed
      answers.push(refuseEmpty(answer))
    }
    return answers
  } finally {
    fail = () => {}
    rl.close()
  }
}

async function readPiped(input: Readable): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk as Buffer
    size += bytes.byteLength
    if (size > MAX_PIPED_BYTES) throw invalid('Invalid password: standard input is too long', 'is too long')
    chunks.push(bytes)
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
  } catch {
    throw invalid('Invalid password: standard input is not valid UTF-8', 'must be valid UTF-8 text')
  }
  const line = text.replace(/\r?\n$/, '')
  if (/[\r\n]/.test(line)) {
    throw invalid('Invalid password: standard input holds more than one line', 'must be one line')
  }
  return line
}

function refuseEmpty(password: string): string {
  if (password === '') throw invalid('Invalid password: it is required', 'is required')
  return password
}

function invalid(message: string, why: string): AuthError {
  return new AuthError('invalid_request', message, { fields: { password: why } })
}
