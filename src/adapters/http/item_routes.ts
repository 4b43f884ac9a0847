import type { Router } from '@koa/router'
import type { CheckClaims } from '../../application/check_claims.ts'
import type { CreateItem } from '../../application/create_item.ts'
import type { DeleteItem } from '../../application/delete_item.ts'
import type { GetItem } from '../../application/get_item.ts'
import type { ListItems } from '../../application/list_items.ts'
import { type AuthState, optionalAccess, requireAccess } from './auth_middleware.ts'
import { jsonBody } from './json_body.ts'
import { PriceBody } from './schemas.ts'
import { validateBody } from './validate.ts'

/** The use cases behind the item routes. */
export interface ItemRoutesDeps {
  readonly checkClaims: CheckClaims
  readonly listItems: ListItems
  readonly getItem: GetItem
  readonly createItem: CreateItem
  readonly deleteItem: DeleteItem
}

/** `/items` (optional auth) and `/item/:name` (access, fresh access to create, admin to delete). */
export function addItemRoutes(router: Router<AuthState>, deps: ItemRoutesDeps): void {
  router.get('/items', optionalAccess(deps.checkClaims), async (ctx) => {
    const result = await deps.listItems.execute({ signedIn: ctx.state.auth !== undefined })
    ctx.body = result.signedIn ? { items: result.items } : { items: result.names, message: result.message }
  })

  router.get('/item/:name', requireAccess(deps.checkClaims), async (ctx) => {
    ctx.body = await deps.getItem.execute({ name: ctx.params.name })
  })

  router.post(
    '/item/:name',
    requireAccess(deps.checkClaims, { fresh: true }),
    jsonBody,
    validateBody(PriceBody),
    async (ctx) => {
      ctx.status = 201
      ctx.body = await deps.createItem.execute({ name: ctx.params.name, body: ctx.request.body })
    },
  )

  router.delete('/item/:name', requireAccess(deps.checkClaims, { admin: true }), async (ctx) => {
    await deps.deleteItem.execute({ name: ctx.params.name })
    ctx.body = { message: `Item ${ctx.params.name} was deleted` }
  })
}
