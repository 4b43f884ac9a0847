import { ContainerModule, type ContainerModuleLoadOptions, type ServiceIdentifier } from 'inversify'
import type { Config } from '../config.ts'
import type { ContainerOverrides } from '../container.ts'

/** What a capability's bindings are chosen from: the configuration and the caller's overrides. */
export interface CompositionContext {
  readonly config: Config
  readonly overrides: ContainerOverrides
}

/**
 * One capability's bindings (the stores, the keys, the use cases, HTTP): an Inversify
 * `ContainerModule` loader that also gets the configuration. Loaded in order, so a module may
 * ask `isBound` about what an earlier one bound.
 */
export type Capability = (options: ContainerModuleLoadOptions, context: CompositionContext) => void

/** The capability as a `ContainerModule` whose every `bind` is also recorded in `bound`. */
export function capabilityModule(
  capability: Capability,
  context: CompositionContext,
  bound: Set<ServiceIdentifier>,
): ContainerModule {
  return new ContainerModule((options) => {
    const bind: ContainerModuleLoadOptions['bind'] = (id) => {
      bound.add(id)
      return options.bind(id)
    }
    capability({ ...options, bind }, context)
  })
}
