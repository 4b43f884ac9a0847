import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import { type Core, createCore } from '../support/core_fixtures.ts'

describe('ListItems', () => {
  let core: Core
  beforeEach(async () => {
    core = await createCore()
    await core.items.create({ name: 'table', price: 120 })
    await core.items.create({ name: 'chair', price: 35.5 })
  })

  it('shows a signed-in caller every item with its price', async () => {
    expect(await core.listItems.execute({ signedIn: true })).to.deep.equal({
      signedIn: true,
      items: [{ name: 'chair', price: 35.5 }, { name: 'table', price: 120 }],
    })
  })

  it('shows an anonymous caller names only, with a hint to log in', async () => {
    const result = await core.listItems.execute({ signedIn: false })
    expect(result).to.deep.equal({
      signedIn: false,
      names: ['chair', 'table'],
      message: 'More data available if you log in.',
    })
    expect(JSON.stringify(result)).not.to.include('price')
  })

  it('still gives an anonymous caller the hint when the catalogue is empty', async () => {
    await core.items.delete('chair')
    await core.items.delete('table')
    expect(await core.listItems.execute({ signedIn: false })).to.deep.equal({
      signedIn: false,
      names: [],
      message: 'More data available if you log in.',
    })
  })
})
