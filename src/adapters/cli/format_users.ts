import type { PublicUser } from '../../domain/user.ts'

/**
 * The accounts `list-users` prints: a plain table with a header line, or with `json` the
 * body `GET /users` answers (`{users: [{id, username, is_admin, created_at}]}`). Never a hash:
 * a {@linkcode PublicUser} holds none.
 */
export function formatUsers(users: readonly PublicUser[], json: boolean): string {
  if (json) {
    const body = {
      users: users.map((user) => ({
        id: user.id,
        username: user.username,
        is_admin: user.isAdmin,
        created_at: user.createdAt.toISOString(),
      })),
    }
    return `${JSON.stringify(body)}\n`
  }
  const rows = [
    ['USERNAME', 'ADMIN', 'CREATED', 'ID'],
    ...users.map((user) => [user.username, user.isAdmin ? 'yes' : 'no', user.createdAt.toISOString(), user.id]),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  // Usernames are letters, digits, "_", "." and "-" only: nothing in a cell can move the cursor.
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd() + '\n').join('')
}
