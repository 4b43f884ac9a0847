import type { KeySummary } from '../../domain/signing_key.ts'

/**
 * The keys `keys list` prints: a plain table with a header line, or with `json` the body
 * `{keys: [{kid, alg, generation, state, published_at, signs_from, signs_until, remove_at}]}`
 * (ISO times, `null` for none). Never key material: a {@linkcode KeySummary} holds none.
 */
export function formatKeys(keys: readonly KeySummary[], json: boolean): string {
  if (json) {
    const body = {
      keys: keys.map((key) => ({
        kid: key.kid,
        alg: key.alg,
        generation: key.generation,
        state: key.state,
        published_at: iso(key.publishedAt),
        signs_from: iso(key.signsFrom),
        signs_until: iso(key.signsUntil),
        remove_at: iso(key.removeAt),
      })),
    }
    return `${JSON.stringify(body)}\n`
  }
  const rows = [
    ['KID', 'ALG', 'STATE', 'PUBLISHED', 'SIGNS FROM', 'SIGNS UNTIL', 'REMOVED AT'],
    ...keys.map((
      key,
    ) => [
      key.kid,
      key.alg,
      key.state,
      ...[key.publishedAt, key.signsFrom, key.signsUntil, key.removeAt].map((at) => iso(at) ?? '-'),
    ]),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  // Kids are printable ASCII (hexauth's are base64url; a key file's are checked): nothing moves the cursor.
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd() + '\n').join('')
}

function iso(at: number | undefined): string | null {
  return at === undefined || !Number.isFinite(at) ? null : new Date(at).toISOString()
}
