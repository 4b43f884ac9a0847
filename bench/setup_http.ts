// The benchmark's own HTTP calls (health polls, registration, login): each on a connection of
// its own, so none reuses a keep-alive socket the server closed while it sat idle (what
// crashed a run with "fetch failed … other side closed" after polling /healthz), and retried
// while the server is still starting.
import { request } from 'node:http'

/** An answer: status and body text. */
export interface Answer {
  readonly status: number
  readonly text: string
}

/** One request, no keep-alive; `body` is sent as JSON. */
export function call(url: string, method = 'GET', body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method,
      agent: false,
      headers: { connection: 'close', ...payload === undefined ? {} : { 'content-type': 'application/json' } },
    }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** {@linkcode call}, retried on connection errors until `attempts` are spent (50 ms apart). */
export async function callRetrying(url: string, method = 'GET', body?: unknown, attempts = 200): Promise<Answer> {
  for (let attempt = 1;; attempt++) {
    try {
      return await call(url, method, body)
    } catch (error) {
      if (attempt >= attempts) throw error
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}
