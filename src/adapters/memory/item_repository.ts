import { AuthError } from '../../domain/auth_error.ts'
import type { Item } from '../../domain/item.ts'
import type { ItemRepository } from '../../application/ports/item_repository.ts'

/** Items in process memory: the embedded default and the contract suite's reference. */
export class MemoryItemRepository implements ItemRepository {
  readonly #items = new Map<string, Item>()

  list(): Promise<readonly Item[]> {
    const items = [...this.#items.values()]
    return Promise.resolve(items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
  }

  find(name: string): Promise<Item | undefined> {
    return Promise.resolve(this.#items.get(name))
  }

  create(item: Item): Promise<void> {
    if (this.#items.has(item.name)) {
      return Promise.reject(new AuthError('item_exists', `Cannot create item "${item.name}": it already exists`))
    }
    this.#items.set(item.name, { name: item.name, price: item.price })
    return Promise.resolve()
  }

  delete(name: string): Promise<boolean> {
    return Promise.resolve(this.#items.delete(name))
  }
}
