/** A list of passwords too common to accept (ASVS 6.2.4), checked without regard to case. */
export interface CommonPasswords {
  /** Whether `password` is on the list. */
  includes(password: string): boolean
}

/** Injection token of {@linkcode CommonPasswords}. */
export const CommonPasswords = Symbol('CommonPasswords')
