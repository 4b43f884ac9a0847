import { describe, it } from 'mocha'
import { expect } from 'chai'
import { Argon2Hasher, OWASP_ARGON2_PARAMS } from '../../../src/adapters/crypto/argon2_hasher.ts'

const CHEAP = { memoryCost: 1024, timeCost: 1, parallelism: 1 }

describe('Argon2Hasher', () => {
  const hasher = new Argon2Hasher(CHEAP)

  it('hashes with argon2id and the configured parameters', async () => {
    expect(await hasher.hash('correct horse battery')).to.match(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/)
  })

  it('uses the OWASP parameters by default', async () => {
    expect(await new Argon2Hasher().hash('correct horse battery')).to.match(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/)
    expect(OWASP_ARGON2_PARAMS).to.deep.equal({ memoryCost: 19456, timeCost: 2, parallelism: 1 })
  })

  it('salts every hash', async () => {
    expect(await hasher.hash('same password')).to.not.equal(await hasher.hash('same password'))
  })

  it('verifies the right password and refuses a wrong one', async () => {
    const encoded = await hasher.hash('correct horse battery')
    expect(await hasher.verify(encoded, 'correct horse battery')).to.equal(true)
    expect(await hasher.verify(encoded, 'correct horse batterY')).to.equal(false)
  })

  it('answers false, not a throw, for a malformed hash', async () => {
    expect(await hasher.verify('not-a-hash', 'whatever1')).to.equal(false)
    expect(await hasher.verify('', 'whatever1')).to.equal(false)
  })

  it('flags a hash made with other parameters for re-hashing, and not its own', async () => {
    const own = await hasher.hash('correct horse battery')
    const stronger = new Argon2Hasher({ ...CHEAP, timeCost: 2 })
    expect(hasher.needsRehash(own)).to.equal(false)
    expect(stronger.needsRehash(own)).to.equal(true)
    expect(hasher.needsRehash('$2b$10$abcdefghijklmnopqrstuv')).to.equal(true)
  })

  it('flags for re-hashing an argon2i hash of the same parameters, and a malformed argon2id one', async () => {
    const own = await hasher.hash('correct horse battery')
    expect(hasher.needsRehash(own.replace('$argon2id$', '$argon2i$'))).to.equal(true)
    expect(hasher.needsRehash('$argon2id$v=19$garbage')).to.equal(true)
  })
})
