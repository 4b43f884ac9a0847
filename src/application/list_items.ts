import type { Item } from '../domain/item.ts'
import type { ItemRepository } from './ports/item_repository.ts'

/** Who is asking: optional authentication decides how much is shown. */
export interface ListItemsInput {
  readonly signedIn: boolean
}

/** Full items for a signed-in caller; names and a hint for anyone else. */
export type ListItemsResult =
  | { readonly signedIn: true; readonly items: readonly Item[] }
  | { readonly signedIn: false; readonly names: readonly string[]; readonly message: string }

/** Lists the catalogue, showing more to a signed-in caller. */
export class ListItems {
  readonly #items: ItemRepository

  constructor(deps: { readonly items: ItemRepository }) {
    this.#items = deps.items
  }

  async execute(input: ListItemsInput): Promise<ListItemsResult> {
    const items = await this.#items.list()
    if (input.signedIn) return { signedIn: true, items }
    return {
      signedIn: false,
      names: items.map((item) => item.name),
      message: 'More data available if you log in.',
    }
  }
}
