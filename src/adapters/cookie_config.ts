import { z } from 'zod'

/** Where tokens travel, and the attributes of the cookies that carry them in cookie mode. */
export interface BrowserConfig {
  /** Tokens are read from `Authorization: Bearer` and answered in bodies. @default true */
  readonly headers: boolean
  /** Tokens are set as HttpOnly cookies and read from them, with CSRF checks. @default false */
  readonly cookies: boolean
  /** Cookies are `Secure` (and the access cookie `__Host-` prefixed). @default true */
  readonly secure: boolean
  /** The cookies' `SameSite`. @default "Lax" */
  readonly sameSite: 'Strict' | 'Lax' | 'None'
}

const LOCATIONS = ['headers', 'cookies'] as const

/** The environment variables of cookie mode, for the configuration schema. */
export const COOKIE_VARIABLES = {
  // Flask-JWT-Extended's JWT_TOKEN_LOCATION: headers, cookies, or both.
  TOKEN_LOCATION: z.string().default('headers').transform((raw, ctx) => {
    const list = raw.split(',').map((part) => part.trim().toLowerCase()).filter((part) => part !== '')
    if (list.length === 0 || list.some((part) => !(LOCATIONS as readonly string[]).includes(part))) {
      ctx.addIssue({ code: 'custom', message: 'must be headers, cookies or headers,cookies' })
    }
    return { headers: list.includes('headers'), cookies: list.includes('cookies') }
  }),
  COOKIE_SECURE: z.enum(['true', 'false', 'on', 'off', 'yes', 'no', '1', '0']).default('true')
    .transform((raw) => ['true', 'on', 'yes', '1'].includes(raw)),
  COOKIE_SAMESITE: z.string().default('Lax').transform((raw, ctx) => {
    const value =
      ({ strict: 'Strict', lax: 'Lax', none: 'None' } as const)[raw.trim().toLowerCase() as 'strict' | 'lax' | 'none']
    if (value === undefined) ctx.addIssue({ code: 'custom', message: 'must be Strict, Lax or None' })
    return value ?? 'Lax'
  }),
}

/** The cookie variables as the schema parses them. */
export interface CookieVariables {
  readonly TOKEN_LOCATION: { readonly headers: boolean; readonly cookies: boolean }
  readonly COOKIE_SECURE: boolean
  readonly COOKIE_SAMESITE: 'Strict' | 'Lax' | 'None'
}

/** How the cookie variables disagree with each other: `SameSite=None` needs `Secure`. */
export function cookieProblems(v: CookieVariables): { variable: string; message: string }[] {
  return v.COOKIE_SAMESITE === 'None' && !v.COOKIE_SECURE
    ? [{
      variable: 'COOKIE_SAMESITE',
      message: 'is None and COOKIE_SECURE is false: browsers refuse SameSite=None cookies that are not Secure',
    }]
    : []
}

/** The {@linkcode BrowserConfig} of validated variables. */
export function browserConfig(v: CookieVariables): BrowserConfig {
  return { ...v.TOKEN_LOCATION, secure: v.COOKIE_SECURE, sameSite: v.COOKIE_SAMESITE }
}
