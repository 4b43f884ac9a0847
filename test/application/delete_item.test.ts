import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { type Core, createCore, rejectsWith } from '../support/core_fixtures.ts'

describe('DeleteItem', () => {
  let core: Core
  beforeEach(async () => {
    core = await createCore()
    await core.items.create({ name: 'chair', price: 35.5 })
    await core.items.create({ name: 'table', price: 120 })
  })

  it('deletes the named item and no other', async () => {
    await core.deleteItem.execute({ name: 'chair' })
    await rejectsWith(core.getItem.execute({ name: 'chair' }), 'not_found')
    expect(await core.items.list()).to.deep.equal([{ name: 'table', price: 120 }])
  })

  it('rejects a missing item with not_found', async () => {
    await rejectsWith(core.deleteItem.execute({ name: 'sofa' }), 'not_found')
  })

  it('answers not_found when the item was already deleted', async () => {
    await core.deleteItem.execute({ name: 'chair' })
    await rejectsWith(core.deleteItem.execute({ name: 'chair' }), 'not_found')
  })

  it('rejects an invalid name with invalid_request and deletes nothing', async () => {
    for (const name of ['', '../table', ['table'], null]) {
      await rejectsWith(core.deleteItem.execute({ name }), 'invalid_request')
    }
    expect(await core.items.list()).to.have.length(2)
  })
})
