import type { Writable } from 'node:stream'
import { ListUserSessions } from '../../application/list_user_sessions.ts'
import { ListUsers } from '../../application/list_users.ts'
import { RevokeSessionById } from '../../application/revoke_session_by_id.ts'
import { RegisterUser } from '../../application/register_user.ts'
import { RevokeUserTokens } from '../../application/revoke_user_tokens.ts'
import { SetAdmin } from '../../application/set_admin.ts'
import { AuthError } from '../../domain/auth_error.ts'
import { parseUsername } from '../../domain/username.ts'
import { type AppContainer, Logger, SharedBlocklist } from '../container.ts'
import { AuditTrail } from '../http/audit.ts'
import { type CliCommand, parseCommandLine, USAGE, UsageError } from './command_line.ts'
import { EX_CONFIG, EX_INTERRUPTED, EX_OK, EX_SOFTWARE, EX_USAGE, EXIT_CODE } from './exit_codes.ts'
import { formatSessions } from './format_sessions.ts'
import { formatUsers } from './format_users.ts'
import { generateKeyJwk, listKeys, rotateKeys } from './key_commands.ts'
import { type PromptInput, PromptInterrupted, readPassword } from './password_prompt.ts'

/** The standard streams the CLI uses: results on stdout, prompts and errors on stderr. */
export interface CliIo {
  readonly stdin: PromptInput
  readonly stdout: Writable
  readonly stderr: Writable
}

/**
 * The container to run against: a built one (tests, embedders; the caller disposes it), or a
 * factory called only once the command line is valid; a `RangeError` from it is a bad
 * configuration (what `loadConfig` throws).
 */
export type ContainerSource = AppContainer | (() => AppContainer | Promise<AppContainer>)

/**
 * Runs one `hexauth` command over the same use cases as the HTTP transport and answers the
 * exit status: 0, 64 for a bad command line, 78 for a bad configuration, 70 for a bug, and
 * {@linkcode EXIT_CODE} for an {@linkcode AuthError}. Prints no password and no token.
 */
export async function runCli(argv: readonly string[], io: CliIo, source: ContainerSource): Promise<number> {
  let command: CliCommand
  try {
    command = parseCommandLine(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr.write(`hexauth: ${error.message}\n\n${USAGE}`)
    return EX_USAGE
  }
  if (command.name === 'help') {
    io.stdout.write(USAGE)
    return EX_OK
  }
  if (command.name === 'keys generate') {
    // Needs no configuration and no store: a key pair for a file the operator keeps.
    io.stdout.write(await generateKeyJwk(command.alg))
    return EX_OK
  }
  let container: AppContainer
  try {
    container = typeof source === 'function' ? await source() : source
  } catch (error) {
    io.stderr.write(`hexauth: ${(error as Error).message}\n`)
    return error instanceof RangeError ? EX_CONFIG : EX_SOFTWARE
  }
  try {
    io.stdout.write(await execute(command, io, container))
    return EX_OK
  } catch (error) {
    return report(command, io.stderr, error)
  }
}

/** Runs a valid command; answers what to print on stdout. */
async function execute(
  command: Exclude<CliCommand, { name: 'help' | 'keys generate' }>,
  io: CliIo,
  c: AppContainer,
): Promise<string> {
  switch (command.name) {
    case 'register': {
      // Check the name before asking for a password that would be refused with it.
      const username = parseUsername(command.username)
      const password = await readPassword(io, { confirm: true })
      const { isAdmin } = await (await c.getAsync(RegisterUser)).execute({ username, password }, { byOperator: true })
      return isAdmin
        ? `User ${username} was created, an admin (ADMIN_USERNAMES names it)\n`
        : `User ${username} was created\n`
    }
    case 'promote':
    case 'demote': {
      const isAdmin = command.name === 'promote'
      if (!isAdmin) await requireSharedBlocklist(c, command.name)
      const { user } = await (await c.getAsync(SetAdmin)).execute({ username: command.username, isAdmin })
      new AuditTrail(await c.getAsync(Logger)).record('admin_changed', {
        sub: user.id,
        username: user.username,
        is_admin: isAdmin,
        by: 'cli',
      })
      if (isAdmin) return `User ${user.username} is now an admin (from the next login or token refresh)\n`
      return `User ${user.username} is no longer an admin; every token it held was revoked\n`
    }
    case 'revoke-all':
      await requireSharedBlocklist(c, command.name)
      await (await c.getAsync(RevokeUserTokens)).execute({ username: command.username })
      return `Revoked every token of user ${command.username} issued up to now\n`
    case 'sessions':
      return formatSessions(
        await (await c.getAsync(ListUserSessions)).execute({ username: command.username }),
        command.json,
      )
    case 'revoke-session':
      await requireSharedBlocklist(c, command.name)
      await (await c.getAsync(RevokeSessionById)).execute({ id: command.id })
      return `Revoked session ${command.id}: its tokens no longer work\n`
    case 'list-users':
      return formatUsers(await (await c.getAsync(ListUsers)).execute(), command.json)
    case 'keys list':
      return listKeys(c, command.json)
    case 'keys rotate':
      return rotateKeys(c)
  }
}

/**
 * Refuses a command that revokes tokens when the blocklist is this process's memory: the
 * revocation would reach no running instance, and reporting success would be a lie.
 */
async function requireSharedBlocklist(c: AppContainer, name: string): Promise<void> {
  if (await c.getAsync(SharedBlocklist)) return
  throw new AuthError(
    'service_unavailable',
    `Cannot run ${name}: REDIS_URL is not set, so no revocation can reach the service's blocklist`,
  )
}

/** Prints why a command failed and answers its exit status. */
function report(command: CliCommand, stderr: Writable, error: unknown): number {
  if (error instanceof AuthError) {
    stderr.write(`hexauth: ${error.message} (${error.code})\n`)
    return EXIT_CODE[error.code]
  }
  if (error instanceof RangeError) {
    // A configuration that does not allow the command, or keys that do not open with it.
    stderr.write(`hexauth: ${error.message}\n`)
    return EX_CONFIG
  }
  if (error instanceof PromptInterrupted) {
    stderr.write(`hexauth: ${error.message}\n`)
    return EX_INTERRUPTED
  }
  stderr.write(`hexauth: Cannot run ${command.name}: unexpected error: ${(error as Error)?.message ?? String(error)}\n`)
  return EX_SOFTWARE
}
