import { describe, it } from 'mocha'
import { expect } from 'chai'
import { JoseKeyMaker } from '../../../src/adapters/crypto/jose_key_maker.ts'
import { MemoryItemRepository } from '../../../src/adapters/memory/item_repository.ts'
import { MemoryKeyStore } from '../../../src/adapters/memory/key_store.ts'
import { MemoryRevocationStore } from '../../../src/adapters/memory/revocation_store.ts'
import { MemoryUserRepository } from '../../../src/adapters/memory/user_repository.ts'
import { itemRepositoryContract } from '../../contracts/item_repository.contract.ts'
import { keyStoreContract, writableSubject } from '../../contracts/key_store.contract.ts'
import { fakeTime, revocationStoreContract } from '../../contracts/revocation_store.contract.ts'
import { userRepositoryContract } from '../../contracts/user_repository.contract.ts'
import { FakeClock } from '../../support/fake_clock.ts'

userRepositoryContract('memory', () => Promise.resolve(new MemoryUserRepository()))
itemRepositoryContract('memory', () => Promise.resolve(new MemoryItemRepository()))
revocationStoreContract('memory', () => {
  const clock = new FakeClock()
  return Promise.resolve({ store: new MemoryRevocationStore({ clock }), ...fakeTime(clock) })
})

keyStoreContract('memory', () => Promise.resolve(writableSubject(new MemoryKeyStore(), new JoseKeyMaker({ secret: undefined }))))

describe('MemoryRevocationStore', () => {
  it('sweeps expired entries so memory stays bounded', async () => {
    const clock = new FakeClock()
    const store = new MemoryRevocationStore({ clock, sweepEvery: 100 })
    const now = clock.now() / 1000
    for (let i = 0; i < 99; i++) await store.revokeToken(`old-${i}`, now + 1)
    clock.advance(2000)
    await store.revokeToken('fresh', now + 600)
    expect(store.size).to.equal(1)
  })
})
