import { describe, it } from 'mocha'
import { expect } from 'chai'
import { MemorySessionStore } from '../../../src/adapters/memory/session_store.ts'
import type { UserId } from '../../../src/domain/user.ts'
import { aSession, sessionStoreContract } from '../../contracts/session_store.contract.ts'

sessionStoreContract('memory', () => Promise.resolve(new MemorySessionStore()))

describe('MemorySessionStore', () => {
  it('sweeps expired sessions every sweepEvery writes, so memory stays bounded', async () => {
    const store = new MemorySessionStore({ sweepEvery: 10 })
    const start = Date.UTC(2026, 0, 1)
    for (let i = 0; i < 9; i++) await store.save(aSession(`old-${i}`, 'alice', start, 1000))
    expect(store.size).to.equal(9)
    await store.save(aSession('new', 'bob', start + 5000)) // the 10th write, after the old ones ended
    expect(store.size).to.equal(1)
    // Gone for good: even a clock turned back finds none.
    expect(await store.listByUser('alice' as UserId, new Date(start))).to.deep.equal([])
  })
})
