import { createRequire } from 'node:module'
import type { CommonPasswords } from '../application/ports/common_passwords.ts'
import { PASSWORD_MIN_LENGTH } from '../domain/password.ts'

/** What loading the list cost, for the start-up log and the README's figures. */
export interface ListCost {
  readonly entries: number
  readonly milliseconds: number
}

/**
 * The common-password list of `@zxcvbn-ts/language-common` (MIT; about 49 000 passwords from
 * leaked sets, 17 950 of them long enough to be allowed), loaded once, case-folded, into a
 * set: a look-up is one hash probe. Only entries of the allowed length are kept: shorter ones
 * are refused by the length rule anyway.
 */
export class CommonPasswordList implements CommonPasswords {
  readonly #passwords: ReadonlySet<string>
  readonly cost: ListCost

  /** The package's list, its loading timed. */
  static fromPackage(): CommonPasswordList {
    const started = performance.now()
    const list = new CommonPasswordList(loadPackagedList())
    return Object.assign(list, {
      cost: { entries: list.cost.entries, milliseconds: Math.round(performance.now() - started) },
    })
  }

  constructor(passwords: Iterable<string>) {
    const started = performance.now()
    const kept = new Set<string>()
    for (const password of passwords) if ([...password].length >= PASSWORD_MIN_LENGTH) kept.add(password.toLowerCase())
    this.#passwords = kept
    this.cost = { entries: kept.size, milliseconds: Math.round(performance.now() - started) }
  }

  includes(password: string): boolean {
    return this.#passwords.has(password.toLowerCase())
  }
}

/** The package's password list alone (not its keyboard graphs or diceware words), in rank order. */
export function loadPackagedList(): readonly string[] {
  // The list's own module: the package's index would load the other dictionaries too.
  const list: unknown = createRequire(import.meta.url)('@zxcvbn-ts/language-common/dist/passwords.json.cjs')
  if (!Array.isArray(list) || list.length < 10_000) {
    throw new TypeError('Cannot load the common-password list: the package holds no list')
  }
  return list as string[]
}
