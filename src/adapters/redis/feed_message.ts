import type { FeedEntry } from './local_revocations.ts'

/** A message of the revocation feed, read. */
export interface FeedMessage {
  /** The revocation sequence number it carries; `undefined` when it carries none. */
  readonly seq: number | undefined
  /** The revocation it announces; `undefined` for a heartbeat. */
  readonly entry: FeedEntry | undefined
}

const KINDS: ReadonlySet<unknown> = new Set(['jti', 'fam', 'sub'])
const UNREADABLE: FeedMessage = { seq: undefined, entry: undefined }

/**
 * Reads a feed message: a revocation, `{"seq":12,"kind":"jti","id":"…","value":0,"expiresAt":…}`,
 * or a heartbeat, `hb:12`, each with the sequence number it was published at. Answers
 * `undefined` for a bare `hb`, the heartbeat of an instance that predates sequence numbers,
 * which says nothing of revocations; anything else it cannot read carries no sequence.
 */
export function parseFeedMessage(message: string): FeedMessage | undefined {
  if (message === 'hb') return undefined
  const beat = /^hb:(\d{1,15})$/.exec(message)
  if (beat !== null) return { seq: Number(beat[1]), entry: undefined }
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(message) as Record<string, unknown>
  } catch {
    return UNREADABLE
  }
  const { seq, kind, id, value, expiresAt } = parsed ?? {}
  const readable = KINDS.has(kind) && typeof id === 'string' && id !== '' &&
    typeof value === 'number' && Number.isFinite(value) && typeof expiresAt === 'number' && Number.isFinite(expiresAt)
  if (!readable) return UNREADABLE
  const entry = { kind, id, value, expiresAt } as FeedEntry
  return { seq: Number.isSafeInteger(seq) && (seq as number) > 0 ? seq as number : undefined, entry }
}
