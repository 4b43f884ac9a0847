import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { ItemRepository } from '../../src/application/ports/item_repository.ts'
import { isAuthError } from '../../src/domain/auth_error.ts'

/** The behaviour every {@linkcode ItemRepository} must have; `make` returns an empty one. */
export function itemRepositoryContract(name: string, make: () => Promise<ItemRepository>): void {
  describe(`ItemRepository contract: ${name}`, () => {
    let items: ItemRepository
    beforeEach(async () => {
      items = await make()
    })

    it('stores an item and finds it by name', async () => {
      await items.create({ name: 'piano', price: 1000.5 })
      expect(await items.find('piano')).to.deep.equal({ name: 'piano', price: 1000.5 })
      expect(await items.find('violin')).to.equal(undefined)
    })

    it('refuses a second item of the same name with item_exists and keeps the first', async () => {
      await items.create({ name: 'piano', price: 1 })
      const error = await items.create({ name: 'piano', price: 2 }).then(() => undefined, (e: unknown) => e)
      expect(isAuthError(error, 'item_exists'), String(error)).to.equal(true)
      expect(await items.find('piano')).to.deep.equal({ name: 'piano', price: 1 })
    })

    it('lists items by name', async () => {
      await items.create({ name: 'zither', price: 3 })
      await items.create({ name: 'banjo', price: 2 })
      expect(await items.list()).to.deep.equal([{ name: 'banjo', price: 2 }, { name: 'zither', price: 3 }])
    })

    it('deletes an item and reports a missing one', async () => {
      await items.create({ name: 'drum', price: 5 })
      expect(await items.delete('drum')).to.equal(true)
      expect(await items.delete('drum')).to.equal(false)
      expect(await items.find('drum')).to.equal(undefined)
    })
  })
}
