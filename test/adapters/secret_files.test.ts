import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'mocha'
import { expect } from 'chai'
import { resolveSecretFiles, SECRET_FILE_VARIABLES } from '../../src/adapters/secret_files.ts'
import { spawnCli } from '../support/cli_harness.ts'

/** A temporary directory, `secretFile(content)` to write a file holding exactly that, and `remove`. */
function secretFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-secrets-'))
  let files = 0
  return {
    dir,
    secretFile(content: string): string {
      const path = join(dir, `secret_${files++}`)
      writeFileSync(path, content)
      return path
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

describe('resolveSecretFiles', () => {
  const { dir, secretFile, remove } = secretFiles()
  after(remove)

  it('covers the JWT secret and both store passwords', () => {
    expect(SECRET_FILE_VARIABLES).to.include.members(['JWT_SECRET', 'REDIS_PASSWORD', 'MONGO_PASSWORD'])
  })

  for (const name of SECRET_FILE_VARIABLES) {
    it(`reads ${name} from ${name}_FILE, less one trailing newline`, () => {
      const env = resolveSecretFiles({ [`${name}_FILE`]: secretFile('s3cret value\n'), PORT: '8080' })
      expect(env[name]).to.equal('s3cret value')
      expect(env.PORT).to.equal('8080')
    })
  }

  it('strips exactly one trailing newline, CRLF included, and nothing else', () => {
    expect(resolveSecretFiles({ REDIS_PASSWORD_FILE: secretFile(' pw \n\n') }).REDIS_PASSWORD).to.equal(' pw \n')
    expect(resolveSecretFiles({ REDIS_PASSWORD_FILE: secretFile('pw\r\n') }).REDIS_PASSWORD).to.equal('pw')
    expect(resolveSecretFiles({ REDIS_PASSWORD_FILE: secretFile('pw') }).REDIS_PASSWORD).to.equal('pw')
  })

  it('leaves an environment without _FILE variables as it is, and does not change the one given', () => {
    const env = { JWT_SECRET: 'inline', REDIS_URL: 'redis://redis:6379' }
    expect(resolveSecretFiles(env)).to.deep.equal(env)
    const given = { MONGO_PASSWORD_FILE: secretFile('pw') }
    resolveSecretFiles(given)
    expect(given).to.deep.equal({ MONGO_PASSWORD_FILE: given.MONGO_PASSWORD_FILE })
  })

  it('reads no file for a variable outside the list', () => {
    expect(resolveSecretFiles({ PORT_FILE: secretFile('8080') })).to.not.have.property('PORT')
  })

  it('refuses a variable set both directly and through its file, naming both', () => {
    const env = { JWT_SECRET: 'inline-secret', JWT_SECRET_FILE: secretFile('file-secret') }
    expect(() => resolveSecretFiles(env)).to.throw(RangeError, /^Cannot read JWT_SECRET_FILE: JWT_SECRET is set too/)
  })

  it('treats an empty variable as unset, as compose passes ${VAR:-}', () => {
    expect(resolveSecretFiles({ JWT_SECRET: '', JWT_SECRET_FILE: secretFile('from-file') }).JWT_SECRET).to.equal(
      'from-file',
    )
    expect(resolveSecretFiles({ JWT_SECRET: 'inline', JWT_SECRET_FILE: ' ' }).JWT_SECRET).to.equal('inline')
  })

  it('refuses a file that cannot be read, naming the variable and the path', () => {
    const missing = join(dir, 'missing')
    expect(() => resolveSecretFiles({ MONGO_PASSWORD_FILE: missing }))
      .to.throw(RangeError, `Cannot read MONGO_PASSWORD_FILE: ${missing} cannot be read (ENOENT)`)
    expect(() => resolveSecretFiles({ MONGO_PASSWORD_FILE: dir })).to.throw(
      RangeError,
      /MONGO_PASSWORD_FILE: .* \(EISDIR\)/,
    )
  })

  for (const content of ['', '\n', '  \n']) {
    it(`refuses a file holding ${JSON.stringify(content)}, which would leave the variable unset`, () => {
      const path = secretFile(content)
      expect(() => resolveSecretFiles({ REDIS_PASSWORD_FILE: path }))
        .to.throw(RangeError, `Cannot read REDIS_PASSWORD_FILE: ${path} is empty`)
    })
  }

  it('never puts what the file holds into its error', () => {
    const env = { JWT_SECRET: 'inline', JWT_SECRET_FILE: secretFile('do-not-print-me') }
    expect(() => resolveSecretFiles(env)).to.throw(RangeError).that.satisfies((e: Error) =>
      !e.message.includes('do-not-print-me')
    )
  })
})

describe('Secret files at start-up', () => {
  const { dir, secretFile, remove } = secretFiles()
  after(remove)

  // The CLI's configuration path is the service's (src/main.ts is started the same way in
  // test/deploy/redis_acl.test.ts, with every secret from a file).
  it('the CLI reads JWT_SECRET_FILE before validating: a published default in the file is refused', async () => {
    const run = await spawnCli(['list-users'], { env: { JWT_SECRET_FILE: secretFile('jwt-secret-string\n') } })
    expect(run.code).to.equal(78)
    expect(run.stderr).to.match(/Invalid configuration: JWT_SECRET is a published default/)
  })

  it('the CLI stops with exit status 78 when a secret file cannot be read', async () => {
    const run = await spawnCli(['list-users'], { env: { REDIS_PASSWORD_FILE: join(dir, 'absent') } })
    expect(run.code).to.equal(78)
    expect(run.stderr).to.contain('Cannot read REDIS_PASSWORD_FILE')
  })
})
