import type { Item } from '../domain/item.ts'
import { parseItemName, parseItemPrice } from '../domain/item.ts'
import type { ItemRepository } from './ports/item_repository.ts'

/** The item to create: its name and the untrusted `{price}` body. */
export interface CreateItemInput {
  readonly name: unknown
  readonly body: unknown
}

/**
 * Creates an item. Needs a fresh token: the caller checks that with {@linkcode CheckClaims}.
 * @throws `invalid_request`, `item_exists`
 */
export class CreateItem {
  readonly #items: ItemRepository

  constructor(deps: { readonly items: ItemRepository }) {
    this.#items = deps.items
  }

  async execute(input: CreateItemInput): Promise<Item> {
    const item: Item = { name: parseItemName(input.name), price: parseItemPrice(input.body) }
    await this.#items.create(item)
    return item
  }
}
