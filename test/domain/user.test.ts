import { describe, it } from 'mocha'
import { expect } from 'chai'
import { isAdminUser, toPublicUser } from '../../src/domain/user.ts'
import type { User, UserId } from '../../src/domain/user.ts'
import type { Username, UsernameKey } from '../../src/domain/username.ts'

function user(username: string, isAdmin = false): User {
  return {
    id: `id-${username}` as UserId,
    username: username as Username,
    passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
    isAdmin,
    createdAt: new Date(Date.UTC(2026, 0, 1)),
  }
}

const NO_ADMINS: ReadonlySet<UsernameKey> = new Set()

describe('isAdminUser', () => {
  it('honours the stored admin flag', () => {
    expect(isAdminUser(user('root', true), NO_ADMINS)).to.equal(true)
  })

  it('makes a configured admin username an admin in any letter case', () => {
    const admins = new Set(['root' as UsernameKey])
    expect(isAdminUser(user('Root'), admins)).to.equal(true)
    expect(isAdminUser(user('ROOT'), admins)).to.equal(true)
  })

  it('is false for anyone else', () => {
    expect(isAdminUser(user('alice'), new Set(['root' as UsernameKey]))).to.equal(false)
  })
})

describe('toPublicUser', () => {
  it('never includes the password hash', () => {
    const shown = toPublicUser(user('alice'), NO_ADMINS)
    expect(shown).not.to.have.property('passwordHash')
    expect(JSON.stringify(shown)).not.to.include('argon2')
  })

  it('keeps id, username and creation time, with the effective admin flag', () => {
    const stored = user('Root')
    expect(toPublicUser(stored, new Set(['root' as UsernameKey]))).to.deep.equal({
      id: stored.id, username: 'Root', isAdmin: true, createdAt: stored.createdAt,
    })
  })
})
