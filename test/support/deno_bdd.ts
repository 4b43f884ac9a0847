/**
 * The part of mocha's BDD interface hexauth's tests use, on `Deno.test`, so the same test
 * files run under Deno: deno.json maps the specifier `mocha` to this file. Every `it` becomes
 * one `Deno.test` named `Suite › nested suite › title`, so Deno's counts are the tests'. Order
 * and hooks are mocha's: a suite's own tests before its nested suites; `before` once before
 * the first test of its suite, `after` once after the last, `beforeEach`/`afterEach` around
 * every test below them (outer suites first in, last out). `this.skip()` (in a test or a
 * hook) ends the test early and prints a `skipped: <name>` line: Deno cannot mark a running
 * test as ignored, so Deno counts it as passed (.ci/deno.sh moves it to the skipped count).
 * test/deno/bdd.test.ts holds mocha and this file to the same behaviour.
 */

/**
 * A test or hook body, called with `this` bound to a {@linkcode Context}: sync, async, or
 * taking a `done` callback (when it declares a parameter).
 */
export type Func = (this: Context, done: (error?: unknown) => void) => unknown

/** What `this` is inside a test or hook. */
export interface Context {
  /** Ends the test (or every test of the suite, from `before`) as skipped. */
  skip(): never
  /** Accepted for mocha compatibility; Deno has no per-test default timeout to change. */
  timeout(ms?: number): Context
  /** Accepted for mocha compatibility. */
  slow(ms?: number): Context
}

/** A suite body: `describe`'s second argument. */
export type SuiteBody = (this: Context) => void

/** `describe`, with `.skip` and `.only`. */
export type SuiteFunction = WithModes<(title: string, fn: SuiteBody) => void>

/** `it`, with `.skip` and `.only`; a test without a body is pending (ignored). */
export type TestFunction = WithModes<(title: string, fn?: Func) => void>

/** A declaring function and its `.skip` and `.only` forms. */
export type WithModes<F extends object> = F & { readonly skip: F; readonly only: F }

/** A hook registrar: `before(fn)` or `before('what it does', fn)`. */
export interface HookFunction {
  (fn: Func): void
  (title: string, fn: Func): void
}

interface DenoTestDefinition {
  readonly name: string
  readonly fn: () => Promise<void>
  readonly ignore: boolean
  readonly only: boolean
}

type Mode = 'run' | 'skip' | 'only'

interface Test {
  readonly title: string
  readonly fn: Func | undefined
  readonly mode: Mode
}

interface Suite {
  readonly title: string
  readonly parent: Suite | undefined
  readonly mode: Mode
  readonly tests: Test[]
  readonly suites: Suite[]
  readonly hooks: Record<'before' | 'after' | 'beforeEach' | 'afterEach', Func[]>
  /** Tests below this suite still to run; its `after` hooks run when it reaches 0. */
  remaining: number
  /** The `before` hooks' run, shared by every test below: a failure or a skip applies to all. */
  started: Promise<void> | undefined
}

class SkipSignal extends Error {
  override readonly name = 'SkipSignal'
}

const deno = (globalThis as { Deno?: { test(definition: DenoTestDefinition): void } }).Deno
if (deno === undefined) {
  throw new Error('Cannot load deno_bdd.ts: it runs under Deno only, mocha runs these tests on Node')
}
const runtime = deno

const root = newSuite('', undefined, 'run')
let current = root

function newSuite(title: string, parent: Suite | undefined, mode: Mode): Suite {
  const hooks = { before: [], after: [], beforeEach: [], afterEach: [] }
  return { title, parent, mode, tests: [], suites: [], hooks, remaining: 0, started: undefined }
}

const context: Context = {
  skip(): never {
    throw new SkipSignal('skipped')
  },
  timeout: () => context,
  slow: () => context,
}

function call(fn: Func): Promise<unknown> {
  if (fn.length === 0) return Promise.resolve(fn.call(context, () => {}))
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => (error === undefined ? resolve(undefined) : reject(error))
    Promise.resolve(fn.call(context, done)).catch(reject)
  })
}

async function runHooks(hooks: readonly Func[]): Promise<void> {
  for (const hook of hooks) await call(hook)
}

/** Root first, `suite` last. */
function ancestry(suite: Suite): Suite[] {
  const chain: Suite[] = []
  for (let s: Suite | undefined = suite; s !== undefined; s = s.parent) chain.unshift(s)
  return chain
}

/** Runs one test with its hooks; false when it was skipped. */
async function runTest(chain: readonly Suite[], fn: Func): Promise<boolean> {
  let failure: { error: unknown } | undefined
  const keep = (error: unknown) => {
    failure ??= { error }
  }
  try {
    for (const s of chain) await (s.started ??= runHooks(s.hooks.before))
    try {
      for (const s of chain) await runHooks(s.hooks.beforeEach)
      await call(fn)
    } finally {
      for (const s of [...chain].reverse()) await runHooks(s.hooks.afterEach).catch(keep)
    }
  } catch (error) {
    keep(error)
  }
  for (const s of [...chain].reverse()) if (--s.remaining === 0) await runHooks(s.hooks.after).catch(keep)
  if (failure === undefined) return true
  if (failure.error instanceof SkipSignal) return false
  throw failure.error
}

/** Registers a suite's tests with Deno in mocha's order: its own tests, then its suites'. */
function registerSuite(suite: Suite): void {
  registerTests(suite, suite.tests)
  for (const child of suite.suites) registerSuite(child)
}

function registerTests(suite: Suite, tests: readonly Test[]): void {
  const chain = ancestry(suite)
  const ignored = chain.some((s) => s.mode === 'skip')
  const only = chain.some((s) => s.mode === 'only')
  for (const test of tests) {
    const name = [...chain.slice(1).map((s) => s.title), test.title].join(' › ')
    const ignore = ignored || test.fn === undefined || test.mode === 'skip'
    if (!ignore) { for (const s of chain) s.remaining++ }
    const fn = test.fn!
    runtime.test({
      name,
      ignore,
      only: only || test.mode === 'only',
      fn: async () => {
        if (!await runTest(chain, fn)) console.log(`skipped: ${name}`)
      },
    })
  }
}

function addTest(title: string, fn: Func | undefined, mode: Mode): void {
  // A test outside any describe registers where it stands; a top-level suite, when it closes.
  if (current === root) registerTests(root, [{ title, fn, mode }])
  else current.tests.push({ title, fn, mode })
}

function addSuite(title: string, fn: SuiteBody, mode: Mode): void {
  const parent = current
  const suite = newSuite(title, parent, mode)
  current = suite
  try {
    fn.call(context)
  } finally {
    current = parent
  }
  if (parent === root) registerSuite(suite)
  else parent.suites.push(suite)
}

function hook(kind: keyof Suite['hooks']): HookFunction {
  return (titleOrFn: string | Func, maybeFn?: Func) => {
    const fn = typeof titleOrFn === 'string' ? maybeFn : titleOrFn
    if (fn === undefined) throw new TypeError(`Cannot add a ${kind} hook: it has no function`)
    current.hooks[kind].push(fn)
  }
}

function withModes<F extends object>(make: (mode: Mode) => F): WithModes<F> {
  return Object.assign(make('run'), { skip: make('skip'), only: make('only') })
}

/** Declares a suite: mocha's `describe`. */
export const describe: SuiteFunction = withModes((mode) => (title: string, fn: SuiteBody) => addSuite(title, fn, mode))

/** Declares a test: mocha's `it`. */
export const it: TestFunction = withModes((mode) => (title: string, fn?: Func) => addTest(title, fn, mode))

/** Runs once before the first test of the current suite. */
export const before: HookFunction = hook('before')
/** Runs once after the last test of the current suite. */
export const after: HookFunction = hook('after')
/** Runs before every test of the current suite and its nested suites. */
export const beforeEach: HookFunction = hook('beforeEach')
/** Runs after every test of the current suite and its nested suites. */
export const afterEach: HookFunction = hook('afterEach')
