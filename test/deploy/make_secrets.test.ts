import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { parse } from 'yaml'
import { loadConfig } from '../../src/adapters/config.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

describe('deploy/make_secrets.sh', () => {
  let parent = ''
  let dir = ''
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'hexauth-make-secrets-'))
    dir = join(parent, 'secrets')
  })
  afterEach(() => rmSync(parent, { recursive: true, force: true }))

  /** Runs the script on `dir`; throws unless it succeeds. */
  function makeSecrets(): string {
    const run = spawnSync('sh', ['deploy/make_secrets.sh', dir], { cwd: root, encoding: 'utf8' })
    if (run.status !== 0) throw new Error(`make_secrets.sh exited ${run.status}: ${run.stderr}`)
    return run.stdout
  }
  const read = (name: string) => readFileSync(join(dir, name), 'utf8')
  const everything = () => Object.fromEntries(readdirSync(dir).map((name) => [name, read(name)]))

  it('writes every secret the compose file declares, and nothing else', () => {
    makeSecrets()
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'))
    const declared = Object.values(compose.secrets as Record<string, { file: string }>).map((secret) =>
      basename(secret.file)
    )
    expect(readdirSync(dir).sort()).to.deep.equal(declared.sort())
  })

  it("makes the directory 0700 and the files 0644, which the containers' users can read", () => {
    makeSecrets()
    expect(statSync(dir).mode & 0o777).to.equal(0o700)
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).mode & 0o777, name).to.equal(0o644)
  })

  it('generates distinct random values, a key encryption secret hexauth accepts, each safe in a URL', () => {
    makeSecrets()
    const values = ['key_encryption_secret', 'redis_password', 'mongo_root_password', 'mongo_hexauth_password'].map(
      read,
    )
    expect(new Set(values).size).to.equal(4)
    for (const value of values) expect(value).to.match(/^[A-Za-z0-9_-]{43}$/) // 32 bytes, base64url
    expect(() => loadConfig({ KEY_ENCRYPTION_SECRET: values[0], MONGO_URL: 'mongodb://mongo/hexauth' })).to.not.throw()
    // Random, not derived: a new directory gets new values.
    const first = values.join()
    rmSync(dir, { recursive: true })
    makeSecrets()
    expect(
      ['key_encryption_secret', 'redis_password', 'mongo_root_password', 'mongo_hexauth_password'].map(read).join(),
    ).to.not.equal(first)
  })

  it('keeps every secret it finds: a second run changes nothing', () => {
    makeSecrets()
    const before = everything()
    const output = makeSecrets()
    expect(everything()).to.deep.equal(before)
    expect(output).to.contain(`kept ${dir}/redis_password`)
  })

  it('keeps a secret written by hand, and renders the ACL from it', () => {
    makeSecrets()
    writeFileSync(join(dir, 'redis_password'), 'chosen-by-hand\n')
    rmSync(join(dir, 'key_encryption_secret'))
    makeSecrets()
    expect(read('redis_password')).to.equal('chosen-by-hand\n')
    expect(read('key_encryption_secret')).to.match(/^[A-Za-z0-9_-]{43}$/)
    expect(read('redis_users.acl')).to.contain(`#${sha256('chosen-by-hand')} `)
  })

  it('puts the SHA-256 of the Redis password into the ACL, never the password, and no comment', () => {
    makeSecrets()
    const acl = read('redis_users.acl')
    const password = read('redis_password')
    expect(acl).to.not.contain(password)
    expect(acl).to.contain(`#${sha256(password)} `)
    expect(acl).to.not.contain('@REDIS_PASSWORD_SHA256@')
    // Redis ACL files allow no comment or blank line: every line is a user.
    for (const line of acl.trimEnd().split('\n')) expect(line).to.match(/^user \S+ /)
    expect(acl.trimEnd().split('\n')).to.have.length(3)
  })
})

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
