import { call, type CallResult } from './http_harness.ts'

/** A client id and secret for the tests of `/introspect` and `/revoke` (never used outside them). */
export const TEST_CLIENT = { id: 'resource-server', secret: 'test-only-client-secret-Vb7nQ2xL9kR4tW8mZ3pJ6' } as const

/** `CLIENTS` holding {@linkcode TEST_CLIENT}. */
export const CLIENTS_ENV: Readonly<Record<string, string>> = { CLIENTS: `${TEST_CLIENT.id}:${TEST_CLIENT.secret}` }

/** An `Authorization: Basic` value for `id` and `secret`. */
export function basic(id: string = TEST_CLIENT.id, secret: string = TEST_CLIENT.secret): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}

/** POSTs `form` (already encoded, or fields) to `path` as a resource server does. */
export function postForm(
  base: string,
  path: '/introspect' | '/revoke',
  form: string | Record<string, string>,
  authorization = basic(),
): Promise<CallResult> {
  const raw = typeof form === 'string' ? form : new URLSearchParams(form).toString()
  return call(base, path, {
    method: 'POST',
    raw,
    contentType: 'application/x-www-form-urlencoded',
    headers: { authorization },
  })
}
