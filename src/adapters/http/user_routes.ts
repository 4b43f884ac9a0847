import type { Router } from '@koa/router'
import type { CheckClaims } from '../../application/check_claims.ts'
import type { DeleteAllUsers } from '../../application/delete_all_users.ts'
import type { DeleteUser } from '../../application/delete_user.ts'
import type { ListUsers } from '../../application/list_users.ts'
import { type AuthState, requireAccess } from './auth_middleware.ts'

/** The use cases behind the user-admin routes. */
export interface UserRoutesDeps {
  readonly checkClaims: CheckClaims
  readonly listUsers: ListUsers
  readonly deleteUser: DeleteUser
  readonly deleteAllUsers: DeleteAllUsers
}

/** `/secret` and the admin-only `/users` routes. */
export function addUserRoutes(router: Router<AuthState>, deps: UserRoutesDeps): void {
  const access = requireAccess(deps.checkClaims)
  const admin = requireAccess(deps.checkClaims, { admin: true })

  router.get('/secret', access, (ctx) => {
    ctx.body = { answer: 42 }
  })

  router.get('/users', admin, async (ctx) => {
    const users = await deps.listUsers.execute()
    ctx.body = {
      users: users.map((user) => ({
        id: user.id,
        username: user.username,
        is_admin: user.isAdmin,
        created_at: user.createdAt.toISOString(),
      })),
    }
  })

  router.delete('/users', admin, async (ctx) => {
    const deleted = await deps.deleteAllUsers.execute()
    ctx.body = { message: `Deleted ${deleted} users`, deleted }
  })

  router.delete('/users/:username', admin, async (ctx) => {
    await deps.deleteUser.execute({ username: ctx.params.username })
    ctx.body = { message: `User ${ctx.params.username} was deleted` }
  })
}
