import { beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'
import type { UserRepository } from '../../src/application/ports/user_repository.ts'
import { isAuthError } from '../../src/domain/auth_error.ts'
import type { User, UserId } from '../../src/domain/user.ts'
import type { Username } from '../../src/domain/username.ts'

let seq = 0
/** A user with a unique id and the given name. */
export function aUser(username: string, overrides: Partial<User> = {}): User {
  seq += 1
  return {
    id: crypto.randomUUID() as UserId,
    username: username as Username,
    passwordHash: `$argon2id$v=19$m=1024,t=1,p=1$hash-${seq}`,
    isAdmin: false,
    createdAt: new Date(Date.UTC(2026, 0, 1) + seq * 1000),
    ...overrides,
  }
}

/** The behaviour every {@linkcode UserRepository} must have; `make` returns an empty one. */
export function userRepositoryContract(name: string, make: () => Promise<UserRepository>): void {
  describe(`UserRepository contract: ${name}`, () => {
    let users: UserRepository
    beforeEach(async () => {
      users = await make()
    })

    it('finds a created user by username in any letter case, and by id', async () => {
      const alice = aUser('Alice')
      await users.create(alice)
      expect(await users.findByUsername('alice' as Username)).to.deep.equal(alice)
      expect(await users.findByUsername('ALICE' as Username)).to.deep.equal(alice)
      expect(await users.findById(alice.id)).to.deep.equal(alice)
    })

    it('answers undefined for an unknown username or id', async () => {
      expect(await users.findByUsername('nobody' as Username)).to.equal(undefined)
      expect(await users.findById(crypto.randomUUID() as UserId)).to.equal(undefined)
    })

    it('refuses a duplicate username, in any letter case, with username_taken and keeps the first', async () => {
      const first = aUser('bob')
      await users.create(first)
      for (const again of [aUser('bob'), aUser('BoB')]) {
        const error = await users.create(again).then(() => undefined, (e: unknown) => e)
        expect(isAuthError(error, 'username_taken'), String(error)).to.equal(true)
      }
      expect((await users.findByUsername('bob' as Username))?.passwordHash).to.equal(first.passwordHash)
    })

    it('lets exactly one of many concurrent creates of one name win', async () => {
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => users.create(aUser('race'))))
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1)
      expect(results.filter((r) => r.status === 'rejected' && isAuthError(r.reason, 'username_taken'))).to.have.length(
        19,
      )
    })

    it('lists users oldest first', async () => {
      const a = aUser('first-user')
      const b = aUser('second-user')
      await users.create(b.createdAt < a.createdAt ? b : a)
      await users.create(b.createdAt < a.createdAt ? a : b)
      expect((await users.list()).map((u) => u.username)).to.deep.equal(['first-user', 'second-user'])
    })

    it('replaces a password hash and reports a missing user', async () => {
      const carol = aUser('carol')
      await users.create(carol)
      expect(await users.updatePasswordHash(carol.id, 'new-hash')).to.equal(true)
      expect((await users.findByUsername('carol' as Username))?.passwordHash).to.equal('new-hash')
      expect(await users.updatePasswordHash(crypto.randomUUID() as UserId, 'x')).to.equal(false)
    })

    it('sets and clears the stored admin flag by username in any letter case, changing nothing else', async () => {
      const grace = aUser('Grace')
      await users.create(grace)
      expect(await users.setAdmin('GRACE' as Username, true)).to.deep.equal({ ...grace, isAdmin: true })
      expect(await users.findById(grace.id)).to.deep.equal({ ...grace, isAdmin: true })
      expect(await users.setAdmin('grace' as Username, true)).to.deep.equal({ ...grace, isAdmin: true })
      expect(await users.setAdmin('grace' as Username, false)).to.deep.equal(grace)
      expect(await users.findByUsername('grace' as Username)).to.deep.equal(grace)
    })

    it('sets the admin flag of the named user only', async () => {
      const heidi = aUser('heidi')
      const ivan = aUser('ivan')
      await users.create(heidi)
      await users.create(ivan)
      await users.setAdmin('heidi' as Username, true)
      expect((await users.list()).map((u) => [u.username, u.isAdmin])).to.deep.equal([['heidi', true], ['ivan', false]])
    })

    it('answers undefined when setting the admin flag of an unknown user, and creates nobody', async () => {
      expect(await users.setAdmin('nobody' as Username, true)).to.equal(undefined)
      expect(await users.list()).to.deep.equal([])
    })

    it('deletes one user by username in any letter case and frees the name', async () => {
      const dave = aUser('dave')
      await users.create(dave)
      expect(await users.delete('DAVE' as Username)).to.deep.equal(dave)
      expect(await users.findById(dave.id)).to.equal(undefined)
      expect(await users.delete('dave' as Username)).to.equal(undefined)
      await users.create(aUser('dave'))
      expect(await users.findByUsername('dave' as Username)).to.not.equal(undefined)
    })

    it('deletes every user and returns them', async () => {
      await users.create(aUser('erin'))
      await users.create(aUser('frank'))
      const deleted = await users.deleteAll()
      expect(deleted.map((u) => u.username).sort()).to.deep.equal(['erin', 'frank'])
      expect(await users.list()).to.deep.equal([])
    })
  })
}
