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

keyStoreContract(
  'memory',
  () => Promise.resolve(writableSubject(new MemoryKeyStore(), new JoseKeyMaker({ secret: undefined }))),
)

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
  /** A store whose clock the test moves, its start in seconds, and a query for a token issued then. */
  const subject = (sweepEvery?: number) => {
    const clock = new FakeClock()
    const store = new MemoryRevocationStore({ clock, ...sweepEvery === undefined ? {} : { sweepEvery } })
    const start = clock.now() / 1000
    const query = (over: Partial<{ jti: string; fam: string; sub: string }> = {}) => ({
      jti: 'j',
      fam: 'f',
      sub: 's',
      iat: start,
      ...over,
    })
    return { clock, store, start, query }
  }
  const rotation = (expiresAt: number, successorUntil: number) => ({ expiresAt, successor: 'next', successorUntil })

  it('sweeps every kind of expired entry, at its very second, and keeps the live ones', async () => {
    const { clock, store, start } = subject(10)
    await store.revokeToken('gone', start + 1)
    await store.revokeFamily('gone', start + 1)
    await store.revokeSubject('gone', start, start + 1)
    await store.retire('gone', rotation(start + 1, start + 1))
    await store.revokeToken('kept', start + 2)
    await store.revokeFamily('kept', start + 2)
    await store.revokeSubject('kept', start, start + 2)
    await store.retire('kept', rotation(start + 2, start + 1))
    expect(store.size).to.equal(8)
    clock.advance(1000)
    await store.revokeToken('ninth', start + 600)
    await store.revokeToken('tenth', start + 600)
    expect(store.size).to.equal(6)
    const kept = { jti: 'x', fam: 'x', sub: 'x', iat: start }
    expect(
      await Promise.all([
        store.isRevoked({ ...kept, jti: 'kept' }),
        store.isRevoked({ ...kept, fam: 'kept' }),
        store.isRevoked({ ...kept, sub: 'kept' }),
      ]),
    ).to.deep.equal([true, true, true])
    expect(await store.retire('kept', rotation(start + 60, start + 30))).to.deep.equal({
      at: start,
      successor: undefined,
    })
  })

  it('counts each kind of entry it holds', async () => {
    const { store, start } = subject()
    await store.revokeToken('t', start + 60)
    for (const fam of ['f1', 'f2']) await store.revokeFamily(fam, start + 60)
    for (const sub of ['s1', 's2', 's3']) await store.revokeSubject(sub, start, start + 60)
    for (const jti of ['r1', 'r2', 'r3', 'r4']) await store.retire(jti, rotation(start + 60, start + 30))
    expect(store.size).to.equal(10)
  })

  it('sweeps only once every sweepEvery writes', async () => {
    const { clock, store, start } = subject(3)
    await store.revokeToken('old', start + 1)
    clock.advance(2000)
    await store.revokeToken('second', start + 600)
    expect(store.size).to.equal(2)
    await store.revokeToken('third', start + 600)
    expect(store.size).to.equal(2)
  })

  it('lets a token, family or subject revocation lapse at its very second', async () => {
    const { clock, store, start, query } = subject()
    await store.revokeToken('j', start + 5)
    await store.revokeFamily('f2', start + 5)
    await store.revokeSubject('s2', start + 100, start + 5)
    clock.advance(4999)
    const before = await Promise.all([
      store.isRevoked(query()),
      store.isRevoked(query({ jti: 'x', fam: 'f2' })),
      store.isRevoked(query({ jti: 'x', sub: 's2' })),
    ])
    clock.advance(1)
    const at = await Promise.all([
      store.isRevoked(query()),
      store.isRevoked(query({ jti: 'x', fam: 'f2' })),
      store.isRevoked(query({ jti: 'x', sub: 's2' })),
    ])
    expect([before, at]).to.deep.equal([[true, true, true], [false, false, false]])
  })

  it('takes a retired token as unused again at the second its mark ends, and drops its successor at the second it ends', async () => {
    const { clock, store, start } = subject()
    await store.retire('a', rotation(start + 10, start + 5))
    clock.advance(5000)
    expect(await store.retire('a', rotation(start + 20, start + 15))).to.deep.equal({ at: start, successor: undefined })
    clock.advance(5000)
    expect(await store.retire('a', rotation(start + 20, start + 15))).to.equal(undefined)
  })
})
