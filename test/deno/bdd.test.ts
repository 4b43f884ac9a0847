import { after, afterEach, before, beforeEach, describe, it } from 'mocha'
import { expect } from 'chai'

// Runs under mocha on Node and under test/support/deno_bdd.ts on Deno (npm run test:deno):
// the same expectations hold the shim to mocha's order of tests and hooks.

const events: string[] = []
const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

describe('The BDD interface', () => {
  before(() => {
    events.push('before')
  })
  beforeEach(() => {
    events.push('beforeEach')
  })
  afterEach(() => {
    events.push('afterEach')
  })
  after(() => {
    events.push('after')
  })

  it('runs before once, then beforeEach, before the first test', () => {
    expect(events).to.deep.equal(['before', 'beforeEach'])
  })

  describe('a nested suite', () => {
    before(async () => {
      await tick()
      events.push('nested before')
    })
    beforeEach(function (done) {
      events.push('nested beforeEach')
      setTimeout(done, 1)
    })
    afterEach(() => {
      events.push('nested afterEach')
    })
    after(() => {
      events.push('nested after')
    })

    it('runs outer hooks first, and awaits async and done-style hooks', () => {
      expect(events.slice(-3)).to.deep.equal(['nested before', 'beforeEach', 'nested beforeEach'])
    })

    it('runs inner afterEach hooks before outer ones, and before once only', () => {
      expect(events.filter((event) => event.endsWith('before'))).to.deep.equal(['before', 'nested before'])
      expect(events.slice(-4)).to.deep.equal(['nested afterEach', 'afterEach', 'beforeEach', 'nested beforeEach'])
    })

    it('skips a test that calls this.skip()', function () {
      this.skip()
      expect.fail('a skipped test went on')
    })
  })

  describe('a suite after a nested one', () => {
    it('starts once the nested suite ran its after hooks', () => {
      expect(events.slice(-4)).to.deep.equal(['nested afterEach', 'afterEach', 'nested after', 'beforeEach'])
    })
  })

  it("runs a suite's own tests before its nested suites, wherever they are declared", () => {
    expect(events).to.deep.equal(['before', 'beforeEach', 'afterEach', 'beforeEach'])
  })

  it.skip('never runs a test marked skip', () => {
    expect.fail('a test marked skip ran')
  })
})

describe('The BDD interface, after another suite', () => {
  it("ran the other suite's after hooks", () => {
    expect(events.at(-1)).to.equal('after')
  })
})
