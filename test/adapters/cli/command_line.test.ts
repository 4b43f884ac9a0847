import { describe, it } from 'mocha'
import { expect } from 'chai'
import { parseCommandLine, USAGE, UsageError } from '../../../src/adapters/cli/command_line.ts'

function usageError(argv: readonly string[]): string {
  try {
    parseCommandLine(argv)
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError)
    return (error as Error).message
  }
  return expect.fail(`${JSON.stringify(argv)} was accepted`)
}

describe('parseCommandLine', () => {
  it('reads every command with its username', () => {
    for (const name of ['register', 'promote', 'demote', 'revoke-all'] as const) {
      expect(parseCommandLine([name, 'alice'])).to.deep.equal({ name, username: 'alice' })
    }
  })

  it('reads list-users, as a table or --json', () => {
    expect(parseCommandLine(['list-users'])).to.deep.equal({ name: 'list-users', json: false })
    expect(parseCommandLine(['list-users', '--json'])).to.deep.equal({ name: 'list-users', json: true })
    expect(parseCommandLine(['--json', 'list-users'])).to.deep.equal({ name: 'list-users', json: true })
  })

  it('reads help from --help, -h or help, whatever else is on the line', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['promote', '--help'], ['frob', '-h']]) {
      expect(parseCommandLine(argv), argv.join(' ')).to.deep.equal({ name: 'help' })
    }
  })

  it('refuses an empty command line and an unknown command', () => {
    expect(usageError([])).to.equal('Cannot run: no command given')
    expect(usageError(['frob'])).to.equal('Cannot run "frob": unknown command')
  })

  it('refuses a missing or an extra argument', () => {
    expect(usageError(['promote'])).to.equal('Cannot run promote: missing <username>')
    expect(usageError(['register'])).to.equal('Cannot run register: missing <username>')
    expect(usageError(['demote', 'a', 'b'])).to.equal('Cannot run demote: unexpected argument "b"')
    expect(usageError(['list-users', 'alice'])).to.equal('Cannot run list-users: unexpected argument "alice"')
  })

  it('refuses unknown options, --json on other commands and options with a value', () => {
    expect(usageError(['list-users', '--all'])).to.equal('Cannot read option "--all": unknown option')
    expect(usageError(['promote', 'alice', '--json'])).to.equal(
      'Cannot run promote: the --json option applies to list-users, sessions and keys list only',
    )
    expect(usageError(['list-users', '--json=yes'])).to.equal('Cannot read option "--json": it takes no value')
  })

  it('refuses a password on the command line without repeating it', () => {
    for (
      const argv of [['register', 'alice', '--password', 'hunter2-hunter2'], [
        'register',
        '--password=hunter2-hunter2',
        'alice',
      ], ['register', 'alice', '-p', 'x']]
    ) {
      const message = usageError(argv)
      expect(message).to.match(/passwords are never taken from the command line/)
      expect(message).to.not.include('hunter2')
    }
  })

  it('documents every command and the exit statuses in the usage text', () => {
    for (const word of ['register', 'promote', 'demote', 'revoke-all', 'list-users', '--json', '--help', '64', '78']) {
      expect(USAGE).to.include(word)
    }
  })
})
