import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { type Core, createCore, rejectsWith } from '../support/core_fixtures.ts'

describe('CreateItem', () => {
  let core: Core
  beforeEach(async () => {
    core = await createCore()
  })

  it('stores the item and answers it', async () => {
    expect(await core.createItem.execute({ name: 'chair', body: { price: 35.5 } })).to.deep.equal({
      name: 'chair',
      price: 35.5,
    })
    expect(await core.getItem.execute({ name: 'chair' })).to.deep.equal({ name: 'chair', price: 35.5 })
  })

  it('accepts a price of zero', async () => {
    expect((await core.createItem.execute({ name: 'sample', body: { price: 0 } })).price).to.equal(0)
  })

  it('rejects a taken name with item_exists and keeps the first price', async () => {
    await core.createItem.execute({ name: 'chair', body: { price: 35.5 } })
    await rejectsWith(core.createItem.execute({ name: 'chair', body: { price: 1 } }), 'item_exists')
    expect((await core.getItem.execute({ name: 'chair' })).price).to.equal(35.5)
  })

  it('never coerces a numeric string price, and stores nothing', async () => {
    const error = await rejectsWith(core.createItem.execute({ name: 'chair', body: { price: '5' } }), 'invalid_request')
    expect(error.fields).to.have.keys('price')
    expect(await core.items.list()).to.deep.equal([])
  })

  it('rejects a negative or missing price, or a body that is not an object', async () => {
    for (const body of [{ price: -1 }, {}, [{ price: 5 }], null]) {
      await rejectsWith(core.createItem.execute({ name: 'chair', body }), 'invalid_request')
    }
    expect(await core.items.list()).to.deep.equal([])
  })

  it('rejects an invalid name with invalid_request', async () => {
    const error = await rejectsWith(core.createItem.execute({ name: 'a/b', body: { price: 5 } }), 'invalid_request')
    expect(error.fields).to.have.keys('name')
  })
})
