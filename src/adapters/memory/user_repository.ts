import { AuthError } from '../../domain/auth_error.ts'
import type { User, UserId } from '../../domain/user.ts'
import type { Username, UsernameKey } from '../../domain/username.ts'
import { usernameKey } from '../../domain/username.ts'
import type { UserRepository } from '../../application/ports/user_repository.ts'

/**
 * Users in process memory: the embedded default and the reference implementation the
 * contract suite holds every other store to. Nothing survives a restart.
 */
export class MemoryUserRepository implements UserRepository {
  readonly #byKey = new Map<UsernameKey, User>()
  readonly #keyById = new Map<UserId, UsernameKey>()

  create(user: User): Promise<void> {
    const key = usernameKey(user.username)
    // Check and insert in one synchronous step: concurrent creates cannot both win.
    if (this.#byKey.has(key)) {
      return Promise.reject(
        new AuthError('username_taken', `Cannot register "${user.username}": the username is taken`),
      )
    }
    this.#byKey.set(key, user)
    this.#keyById.set(user.id, key)
    return Promise.resolve()
  }

  findByUsername(username: Username): Promise<User | undefined> {
    return Promise.resolve(this.#byKey.get(usernameKey(username)))
  }

  findById(id: UserId): Promise<User | undefined> {
    const key = this.#keyById.get(id)
    return Promise.resolve(key === undefined ? undefined : this.#byKey.get(key))
  }

  list(): Promise<readonly User[]> {
    const users = [...this.#byKey.values()]
    return Promise.resolve(users.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()))
  }

  updatePasswordHash(id: UserId, passwordHash: string): Promise<boolean> {
    const key = this.#keyById.get(id)
    const user = key === undefined ? undefined : this.#byKey.get(key)
    if (key === undefined || user === undefined) return Promise.resolve(false)
    this.#byKey.set(key, { ...user, passwordHash })
    return Promise.resolve(true)
  }

  setAdmin(username: Username, isAdmin: boolean): Promise<User | undefined> {
    const key = usernameKey(username)
    const user = this.#byKey.get(key)
    if (user === undefined) return Promise.resolve(undefined)
    const updated: User = { ...user, isAdmin }
    this.#byKey.set(key, updated)
    return Promise.resolve(updated)
  }

  delete(username: Username): Promise<User | undefined> {
    const key = usernameKey(username)
    const user = this.#byKey.get(key)
    if (user !== undefined) {
      this.#byKey.delete(key)
      this.#keyById.delete(user.id)
    }
    return Promise.resolve(user)
  }

  deleteAll(): Promise<readonly User[]> {
    const users = [...this.#byKey.values()]
    this.#byKey.clear()
    this.#keyById.clear()
    return Promise.resolve(users)
  }
}
