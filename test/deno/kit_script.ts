// Run by test/deno/kit.test.ts under Deno: what another team's Deno suite does with the kit.
// Prints one JSON line of what it saw; the process must then exit by itself.
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { startHexauth } from '../../src/testing.ts'

const [a, b] = await Promise.all([startHexauth(), startHexauth()])
const admin = await a.tokensFor('deno-admin', { admin: true })
const users = await fetch(`${a.url}/users`, { headers: { authorization: `Bearer ${admin.accessToken}` } })
const { payload } = await jwtVerify(admin.accessToken, createRemoteJWKSet(new URL(a.jwksUrl)), {
  issuer: a.issuer,
  audience: a.audience,
})
const elsewhere = await fetch(`${b.url}/secret`, { headers: { authorization: `Bearer ${admin.accessToken}` } })
await b.register('deno-user', 'correct horse battery')
const login = await b.login('deno-user', 'correct horse battery')
await b.revoke(login.accessToken)
const revoked = await fetch(`${b.url}/secret`, { headers: { authorization: `Bearer ${login.accessToken}` } })
await Promise.all([a.stop(), b.stop(), users.body?.cancel(), elsewhere.body?.cancel()])
console.log(JSON.stringify({
  users: users.status,
  isAdmin: payload.is_admin,
  elsewhere: elsewhere.status,
  revoked: (await revoked.json()).error,
}))
