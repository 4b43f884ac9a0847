import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runInNewContext } from 'node:vm'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { parse } from 'yaml'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const SCRIPT = 'deploy/mongo/create_hexauth_user.js'

/** What one run of the init script did: every call it made on `db`, every file it read, how it failed. */
interface InitRun {
  readonly calls: readonly (readonly [string, ...unknown[]])[]
  readonly reads: readonly string[]
  readonly error: Error | undefined
}

/**
 * Runs the init script as mongosh would, with `db` and `require('fs')` replaced by recorders:
 * no MongoDB server can run here (the mongo image runs it for real, on a first start).
 */
function runInitScript(files: Readonly<Record<string, string>>): InitRun {
  const calls: [string, ...unknown[]][] = []
  const reads: string[] = []
  const database = (name: string): unknown =>
    new Proxy({}, {
      get: (_, method) => (...args: unknown[]) => {
        calls.push([`${name}.${String(method)}`, ...args])
        return method === 'getSiblingDB' ? database(args[0] as string) : { ok: 1 }
      },
    })
  const fs = {
    readFileSync(path: string) {
      reads.push(path)
      if (!(path in files)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
      return files[path]
    },
  }
  const require = (module: string) => {
    if (module !== 'fs') throw new Error(`the init script required ${module}`)
    return fs
  }
  try {
    runInNewContext(readFileSync(resolve(root, SCRIPT), 'utf8'), { db: database('test'), require, print: () => {} })
    return { calls, reads, error: undefined }
  } catch (error) {
    return { calls, reads, error: error as Error }
  }
}

describe(SCRIPT, () => {
  const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'))
  const secretPath = compose.services.app.environment.MONGO_PASSWORD_FILE as string

  it('reads the password from the secret file the app reads too, which is mounted in mongo', () => {
    expect(secretPath).to.equal('/run/secrets/mongo_hexauth_password')
    expect(compose.services.mongo.secrets).to.include('mongo_hexauth_password')
    const run = runInitScript({ [secretPath]: 'the-password\n' })
    expect(run.error).to.equal(undefined)
    expect(run.reads).to.deep.equal([secretPath])
  })

  it('creates exactly one user, hexauth, with exactly readWrite on the hexauth database', () => {
    const run = runInitScript({ [secretPath]: 'the-password\n' })
    expect(run.calls).to.deep.equal([
      ['test.getSiblingDB', 'hexauth'],
      ['hexauth.createUser', { user: 'hexauth', pwd: 'the-password', roles: [{ role: 'readWrite', db: 'hexauth' }] }],
    ])
  })

  it('keeps the password as the file holds it, less one trailing newline', () => {
    const run = runInitScript({ [secretPath]: ' p@ss word \n\n' })
    expect(run.calls[1]?.[1]).to.deep.include({ pwd: ' p@ss word \n' })
  })

  it('stops, creating no user, when the secret file is empty or missing', () => {
    const empty = runInitScript({ [secretPath]: '\n' })
    expect(empty.error?.message).to.match(/^Cannot create the hexauth user: .* is empty$/)
    expect(empty.calls).to.deep.equal([])
    const missing = runInitScript({})
    expect(missing.error?.message).to.match(/ENOENT/)
    expect(missing.calls).to.deep.equal([])
  })
})
