import { AuthError } from '../domain/auth_error.ts'
import { parseItemName } from '../domain/item.ts'
import type { ItemRepository } from './ports/item_repository.ts'

/**
 * Deletes an item. Admin only: the caller checks that with {@linkcode CheckClaims}.
 * @throws `invalid_request`, `not_found`
 */
export class DeleteItem {
  readonly #items: ItemRepository

  constructor(deps: { readonly items: ItemRepository }) {
    this.#items = deps.items
  }

  async execute(input: { readonly name: unknown }): Promise<void> {
    const name = parseItemName(input.name)
    if (!await this.#items.delete(name)) {
      throw new AuthError('not_found', `Cannot delete item "${name}": no such item`)
    }
  }
}
