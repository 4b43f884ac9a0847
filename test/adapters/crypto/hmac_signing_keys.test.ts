import { describe, it } from 'mocha'
import { expect } from 'chai'
import { HmacSigningKeys } from '../../../src/adapters/crypto/hmac_signing_keys.ts'

const SECRET = new TextEncoder().encode('hmac-keys-test-secret-0123456789-abcdefgh')

describe('HmacSigningKeys', () => {
  it('describes its one key as signing since it was made, with no end and nothing published', async () => {
    const keys = await HmacSigningKeys.create(SECRET, 1_700_000_000_000)
    const { kid } = keys.current()
    expect(keys.describe()).to.deep.equal([{
      kid,
      alg: 'HS256',
      generation: 1,
      state: 'signing',
      publishedAt: 1_700_000_000_000,
      signsFrom: 1_700_000_000_000,
      signsUntil: undefined,
      removeAt: undefined,
    }])
    expect(keys.published()).to.deep.equal([])
  })

  it('finds its key by its kid, or for a token without one, and no other', async () => {
    const keys = await HmacSigningKeys.create(SECRET, 0)
    const current = keys.current()
    expect(current.kid).to.have.length(16)
    expect([keys.find(current.kid), keys.find(undefined), keys.find('another-kid-0000')]).to.deep.equal([
      current,
      current,
      undefined,
    ])
  })
})
