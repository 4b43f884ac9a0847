import { parseArgs } from 'node:util'
import type { AsymmetricAlgorithm } from '../../domain/signing_key.ts'

/** What the command line asks for. */
export type CliCommand =
  | { readonly name: 'help' }
  | { readonly name: 'register' | 'promote' | 'demote' | 'revoke-all'; readonly username: string }
  | { readonly name: 'list-users'; readonly json: boolean }
  | { readonly name: 'sessions'; readonly username: string; readonly json: boolean }
  | { readonly name: 'revoke-session'; readonly id: string }
  | { readonly name: 'keys list'; readonly json: boolean }
  | { readonly name: 'keys rotate' }
  | { readonly name: 'keys generate'; readonly alg: AsymmetricAlgorithm }

/** A command line that names no valid command: exit status 64 and the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** The help text, listing every command. */
export const USAGE = `Usage: hexauth <command> [<username>] [--json]
       hexauth keys list [--json] | keys rotate | keys generate [--alg ES256]

Manages hexauth accounts in the stores the service uses (MONGO_URL, REDIS_URL and the
rest of its configuration, read from the environment).

Commands:
  register <username>     create an account; the password is read from a prompt that
                          does not echo, or from standard input when it is not a terminal
  promote <username>      set the stored admin flag (is_admin from the next login or refresh)
  demote <username>       clear the stored admin flag and revoke every token of the user
  revoke-all <username>   revoke every token of the user issued up to now
  list-users [--json]     list the accounts, as a table or as JSON
  sessions <username> [--json]
                          list the user's live login sessions (ids, times, address, user agent)
  revoke-session <id>     end one login session (an id from sessions): its tokens stop working
  keys list [--json]      list the signing keys: kid, alg, state and times (never a private key)
  keys rotate             schedule the next signing key now; it is published for
                          JWT_KEY_PREPUBLISH before it signs (managed keys in MongoDB only)
  keys generate [--alg ES256|EdDSA|RS256]
                          print a new private JWK, for a JWT_KEYS_FILE
  help, --help, -h        show this text

Passwords are never taken from the command line.
Exit status: 0 done, 64 usage, 65 invalid username or password, 67 no such user,
69 a store is unavailable, 73 username taken, 78 invalid configuration.
`

const PASSWORD_OPTIONS = new Set(['password', 'p', 'pass', 'passwd', 'pw'])
const ALGORITHMS: readonly string[] = ['ES256', 'EdDSA', 'RS256']

/**
 * Parses the arguments after `hexauth`.
 * @throws {UsageError} for an unknown command or option, or a missing or extra argument
 */
export function parseCommandLine(argv: readonly string[]): CliCommand {
  // Not strict: unknown options are reported here, by name, with the usage text.
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, alg: { type: 'string' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    if (PASSWORD_OPTIONS.has(token.name)) {
      throw new UsageError(
        `Cannot read option "${token.rawName}": passwords are never taken from the command line, type it at the prompt or pipe it on standard input`,
      )
    }
    if (token.name !== 'help' && token.name !== 'json' && token.name !== 'alg') {
      throw new UsageError(`Cannot read option "${token.rawName}": unknown option`)
    }
    if (token.name === 'alg' && typeof token.value !== 'string') {
      throw new UsageError(`Cannot read option "${token.rawName}": it takes a value, such as --alg ES256`)
    }
    if (token.name !== 'alg' && token.value !== undefined) {
      throw new UsageError(`Cannot read option "${token.rawName}": it takes no value`)
    }
  }
  const [name, ...rest] = positionals
  if (values.help === true || name === 'help') return { name: 'help' }
  if (name === undefined) throw new UsageError('Cannot run: no command given')
  if (name === 'keys') return keysCommand(rest, values.json === true, values.alg as string | undefined)
  if (values.json === true && name !== 'list-users' && name !== 'sessions') {
    throw new UsageError(`Cannot run ${name}: the --json option applies to list-users, sessions and keys list only`)
  }
  if (values.alg !== undefined) {
    throw new UsageError(`Cannot run ${name}: the --alg option applies to keys generate only`)
  }
  if (name === 'list-users') {
    expectArguments(name, rest, 0)
    return { name, json: values.json === true }
  }
  if (name === 'sessions') {
    expectArguments(name, rest, 1)
    return { name, username: rest[0]!, json: values.json === true }
  }
  if (name === 'revoke-session') {
    if (rest.length !== 1) {
      throw new UsageError(
        rest.length === 0
          ? 'Cannot run revoke-session: missing <id>'
          : `Cannot run revoke-session: unexpected argument "${rest[1]}"`,
      )
    }
    return { name, id: rest[0]! }
  }
  if (name === 'register' || name === 'promote' || name === 'demote' || name === 'revoke-all') {
    expectArguments(name, rest, 1)
    return { name, username: rest[0]! }
  }
  throw new UsageError(`Cannot run "${name}": unknown command`)
}

function keysCommand(rest: readonly string[], json: boolean, alg: string | undefined): CliCommand {
  const [action, ...extra] = rest
  if (action !== 'list' && action !== 'rotate' && action !== 'generate') {
    throw new UsageError(
      action === undefined
        ? 'Cannot run keys: missing list, rotate or generate'
        : `Cannot run keys "${action}": unknown command`,
    )
  }
  const name = `keys ${action}` as const
  if (extra.length > 0) throw new UsageError(`Cannot run ${name}: unexpected argument "${extra[0]}"`)
  if (json && action !== 'list') {
    throw new UsageError(`Cannot run ${name}: the --json option applies to list-users, sessions and keys list only`)
  }
  if (alg !== undefined && action !== 'generate') {
    throw new UsageError(`Cannot run ${name}: the --alg option applies to keys generate only`)
  }
  if (action === 'list') return { name: 'keys list', json }
  if (action === 'rotate') return { name: 'keys rotate' }
  if (alg !== undefined && !ALGORITHMS.includes(alg)) {
    throw new UsageError(`Cannot run keys generate: --alg must be ES256, EdDSA or RS256, not "${alg}"`)
  }
  return { name: 'keys generate', alg: (alg ?? 'ES256') as AsymmetricAlgorithm }
}

function expectArguments(name: string, rest: readonly string[], count: 0 | 1): void {
  if (rest.length < count) throw new UsageError(`Cannot run ${name}: missing <username>`)
  if (rest.length > count) throw new UsageError(`Cannot run ${name}: unexpected argument "${rest[count]}"`)
}
