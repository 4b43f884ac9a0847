import { AuthError } from '../domain/auth_error.ts'
import type { Item } from '../domain/item.ts'
import { parseItemName } from '../domain/item.ts'
import type { ItemRepository } from './ports/item_repository.ts'

/**
 * Reads one item.
 * @throws `invalid_request`, `not_found`
 */
export class GetItem {
  readonly #items: ItemRepository

  constructor(deps: { readonly items: ItemRepository }) {
    this.#items = deps.items
  }

  async execute(input: { readonly name: unknown }): Promise<Item> {
    const name = parseItemName(input.name)
    const item = await this.#items.find(name)
    if (item === undefined) throw new AuthError('not_found', `Cannot find item "${name}": no such item`)
    return item
  }
}
