import { AuthError } from './auth_error.ts'
import { isJsonObject } from './credentials.ts'

/** An item of the catalogue the seed system used to show optional and fresh auth. */
export interface Item {
  readonly name: string
  readonly price: number
}

/** Longest accepted item name, in characters. */
export const ITEM_NAME_MAX_LENGTH = 100
const ITEM_NAME_PATTERN = /^[\p{L}\p{M}\p{N} _.-]+$/u

/** Parses an item name (from a path segment); throws `invalid_request` naming the field. */
export function parseItemName(raw: unknown): string {
  // Length in code points, as passwords are counted.
  if (typeof raw !== 'string' || !ITEM_NAME_PATTERN.test(raw) || [...raw].length > ITEM_NAME_MAX_LENGTH) {
    const why = `must be 1 to ${ITEM_NAME_MAX_LENGTH} letters, digits, spaces, "_", "." or "-"`
    throw new AuthError('invalid_request', `Invalid item name: it ${why}`, { fields: { name: why } })
  }
  return raw
}

/** Parses `{price}` from an untrusted body: a finite, non-negative JSON number, never coerced. */
export function parseItemPrice(body: unknown): number {
  if (!isJsonObject(body)) {
    throw new AuthError('invalid_request', 'Invalid request body: it must be a JSON object')
  }
  const price = body.price
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
    const why = price === undefined ? 'is required' : 'must be a non-negative number'
    throw new AuthError('invalid_request', `Invalid price: it ${why}`, { fields: { price: why } })
  }
  return price
}
