import { describe, it } from 'mocha'
import { expect } from 'chai'
import { toPublicUser } from '../../src/domain/user.ts'
import type { User, UserId } from '../../src/domain/user.ts'
import type { Username } from '../../src/domain/username.ts'

function user(username: string, isAdmin = false): User {
  return {
    id: `id-${username}` as UserId,
    username: username as Username,
    passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
    isAdmin,
    createdAt: new Date(Date.UTC(2026, 0, 1)),
  }
}

describe('toPublicUser', () => {
  it('never includes the password hash', () => {
    const shown = toPublicUser(user('alice'))
    expect(shown).not.to.have.property('passwordHash')
    expect(JSON.stringify(shown)).not.to.include('argon2')
  })

  it('keeps id, username, creation time and the stored admin flag', () => {
    for (const isAdmin of [true, false]) {
      const stored = user('Root', isAdmin)
      expect(toPublicUser(stored)).to.deep.equal({
        id: stored.id,
        username: 'Root',
        isAdmin,
        createdAt: stored.createdAt,
      })
    }
  })
})
