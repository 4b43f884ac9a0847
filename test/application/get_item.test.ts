import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { type Core, createCore, rejectsWith } from '../support/core_fixtures.ts'

describe('GetItem', () => {
  let core: Core
  beforeEach(async () => {
    core = await createCore()
    await core.items.create({ name: 'chair', price: 35.5 })
  })

  it('answers the item with its price', async () => {
    expect(await core.getItem.execute({ name: 'chair' })).to.deep.equal({ name: 'chair', price: 35.5 })
  })

  it('rejects a missing item with not_found', async () => {
    const error = await rejectsWith(core.getItem.execute({ name: 'sofa' }), 'not_found')
    expect(error.message).to.include('"sofa"')
  })

  it('matches names exactly, letter case included', async () => {
    await rejectsWith(core.getItem.execute({ name: 'Chair' }), 'not_found')
  })

  it('rejects an invalid name with invalid_request', async () => {
    for (const name of ['', 'a/b', 42, undefined]) {
      await rejectsWith(core.getItem.execute({ name }), 'invalid_request')
    }
  })
})
