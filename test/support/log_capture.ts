import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../src/adapters/logger.ts'

/** A logger whose lines a test reads back. */
export interface CapturedLogs {
  readonly logger: Logger
  /** Every line written, as written. */
  readonly lines: string[]
  /** The lines parsed as JSON objects. */
  entries(): Record<string, unknown>[]
}

/** A logger at `level` (default `trace`) whose lines land in memory. */
export function capturingLogger(level = 'trace'): CapturedLogs {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return {
    logger: createLogger(level, sink),
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}
