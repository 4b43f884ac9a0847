import { describe, it } from 'mocha'
import { expect } from 'chai'
import { formatUsers } from '../../../src/adapters/cli/format_users.ts'
import type { PublicUser, UserId } from '../../../src/domain/user.ts'
import type { Username } from '../../../src/domain/username.ts'

const USERS: readonly PublicUser[] = [
  { id: 'id-1' as UserId, username: 'alice' as Username, isAdmin: true, createdAt: new Date('2026-01-01T00:00:00Z') },
  {
    id: 'id-22' as UserId,
    username: 'bo' as Username,
    isAdmin: false,
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
  },
]

describe('formatUsers', () => {
  it('prints an aligned table with a header line', () => {
    expect(formatUsers(USERS, false)).to.equal([
      'USERNAME  ADMIN  CREATED                   ID',
      'alice     yes    2026-01-01T00:00:00.000Z  id-1',
      'bo        no     2026-01-02T03:04:05.678Z  id-22',
      '',
    ].join('\n'))
  })

  it('prints only the header when there are no users', () => {
    expect(formatUsers([], false)).to.equal('USERNAME  ADMIN  CREATED  ID\n')
  })

  it('prints the JSON body of GET /users with --json', () => {
    expect(JSON.parse(formatUsers(USERS, true))).to.deep.equal({
      users: [
        { id: 'id-1', username: 'alice', is_admin: true, created_at: '2026-01-01T00:00:00.000Z' },
        { id: 'id-22', username: 'bo', is_admin: false, created_at: '2026-01-02T03:04:05.678Z' },
      ],
    })
    expect(formatUsers([], true)).to.equal('{"users":[]}\n')
  })
})
