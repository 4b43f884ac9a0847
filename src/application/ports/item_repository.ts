import type { Item } from '../../domain/item.ts'

/** Where items live. Names are unique. */
export interface ItemRepository {
  /** Every item, by name. */
  list(): Promise<readonly Item[]>
  find(name: string): Promise<Item | undefined>
  /** Stores a new item; throws `item_exists` when the name is taken. */
  create(item: Item): Promise<void>
  /** Deletes an item; false when there was none. */
  delete(name: string): Promise<boolean>
}

/** Injection token of {@linkcode ItemRepository}. */
export const ItemRepository = Symbol('ItemRepository')
