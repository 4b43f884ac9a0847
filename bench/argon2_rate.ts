// The raw argon2id verify rate on this machine: the ceiling for login throughput.
//   node --import tsx bench/argon2_rate.ts [seconds] [concurrency]
// Prints: ARGON2 rate=<verifies/s> m=… t=… p=… concurrency=…
import argon2 from 'argon2'

const seconds = Number(process.argv[2] ?? 10)
const concurrency = Number(process.argv[3] ?? 4)
const params = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const
const encoded = await argon2.hash('bench-password-123', params)

let done = 0
const deadline = performance.now() + seconds * 1000
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (performance.now() < deadline) {
    if (!await argon2.verify(encoded, 'bench-password-123')) throw new Error('verify failed')
    done++
  }
}))
const rate = done / seconds
console.log(
  `ARGON2 rate=${
    rate.toFixed(1)
  } m=${params.memoryCost} t=${params.timeCost} p=${params.parallelism} concurrency=${concurrency}`,
)
