// Login timing, unknown vs known username (and wrong vs right password), at the OWASP argon2
// parameters: medians of N logins each, interleaved. Not a test: a measurement.
//   node --import tsx bench/login_timing.ts [N]
import { call, register, startTestServer } from '../test/support/http_harness.ts'

const n = Number(process.argv[2] ?? 20)
const app = await startTestServer({ ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', ARGON2_PARALLELISM: '1' })
const password = 'correct horse battery'
await register(app.url, 'known-user', password)

const cases = {
  'known user, right password': { username: 'known-user', password, status: 200 },
  'known user, wrong password': { username: 'known-user', password: 'wrong password!', status: 401 },
  'unknown user': { username: 'nobody-here', password, status: 401 },
}
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]))
await call(app.url, '/login', { json: { username: 'nobody-here', password } }) // warm the dummy hash
for (let i = 0; i < n; i++) {
  for (const [name, { username, password: pw, status }] of Object.entries(cases)) {
    const started = performance.now()
    const answer = await call(app.url, '/login', { json: { username, password: pw } })
    samples[name]!.push(performance.now() - started)
    if (answer.status !== status) throw new Error(`${name}: expected ${status}, got ${answer.status}`)
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
for (const [name, xs] of Object.entries(samples)) {
  console.log(
    `${name.padEnd(28)} median ${median(xs).toFixed(1)} ms  (min ${Math.min(...xs).toFixed(1)}, max ${
      Math.max(...xs).toFixed(1)
    }, n=${xs.length})`,
  )
}
await app.close()
