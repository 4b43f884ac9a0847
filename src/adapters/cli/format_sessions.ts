import type { Session } from '../../application/ports/session_store.ts'

// A user agent is whatever a client sent: no control character of it reaches a terminal.
const CONTROL = /\p{Cc}/gu

/** The sessions `hexauth sessions` prints: a table with a header line, or JSON with `json`. */
export function formatSessions(sessions: readonly Session[], json: boolean): string {
  if (json) {
    const body = {
      sessions: sessions.map((session) => ({
        id: session.id,
        created_at: session.createdAt.toISOString(),
        last_used_at: session.lastUsedAt.toISOString(),
        user_agent: session.userAgent ?? null,
        ip: session.ip ?? null,
      })),
    }
    return `${JSON.stringify(body)}\n`
  }
  const rows = [
    ['ID', 'CREATED', 'LAST USED', 'ADDRESS', 'USER AGENT'],
    ...sessions.map((session) => [
      session.id,
      session.createdAt.toISOString(),
      session.lastUsedAt.toISOString(),
      session.ip ?? '-',
      (session.userAgent ?? '-').replace(CONTROL, '?'),
    ]),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd() + '\n').join('')
}
