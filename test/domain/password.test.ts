import { describe, it } from 'mocha'
import { expect } from 'chai'
import { parsePassword, passwordProblem } from '../../src/domain/password.ts'
import { throwsWith } from '../support/core_fixtures.ts'

const LENGTH = 'must be 8 to 1024 characters long'

describe('parsePassword', () => {
  it('refuses a lone surrogate, which hashing would make equal to any other', () => {
    for (const raw of ['\uD800password', 'password\uDFFF']) {
      const error = throwsWith(() => parsePassword(raw), 'invalid_request')
      expect(error.fields).to.deep.equal({ password: 'must be valid Unicode text' })
    }
    expect(parsePassword('pass\u{1F511}word')).to.equal('pass\u{1F511}word')
  })

  it('accepts 8 and 1024 characters', () => {
    expect(parsePassword('p'.repeat(8))).to.equal('p'.repeat(8))
    expect(parsePassword('p'.repeat(1024))).to.equal('p'.repeat(1024))
  })

  it('refuses 7 and 1025 characters, naming the field', () => {
    for (const raw of ['p'.repeat(7), 'p'.repeat(1025), '']) {
      expect(throwsWith(() => parsePassword(raw), 'invalid_request').fields).to.deep.equal({ password: LENGTH })
    }
  })

  it('counts an emoji as one character, not two UTF-16 units', () => {
    // Seven emoji are 14 UTF-16 units: a units count would wrongly accept them.
    throwsWith(() => parsePassword('🔑'.repeat(7)), 'invalid_request')
    expect(parsePassword('🔑'.repeat(8))).to.equal('🔑'.repeat(8))
  })

  it('measures the upper bound in characters too', () => {
    expect(parsePassword('🔑'.repeat(1024))).to.have.length(2048)
    throwsWith(() => parsePassword('🔑'.repeat(1025)), 'invalid_request')
  })

  it('keeps spaces: nothing is trimmed', () => {
    expect(parsePassword('  spaced out  ')).to.equal('  spaced out  ')
    expect(parsePassword(' '.repeat(8))).to.equal(' '.repeat(8))
  })

  it('never coerces non-strings', () => {
    const bad: unknown[] = [12345678, ['password1'], { $gt: '' }, null, true, { toString: () => 'password1' }]
    for (const raw of bad) {
      expect(throwsWith(() => parsePassword(raw), 'invalid_request').fields).to.deep.equal({
        password: 'must be a string',
      })
    }
  })

  it('reports a missing password as required', () => {
    expect(passwordProblem(undefined)).to.equal('is required')
  })

  it('never echoes the password in the error message', () => {
    const error = throwsWith(() => parsePassword('hunter2'), 'invalid_request')
    expect(error.message).to.equal(`Invalid password: it ${LENGTH}`)
    expect(error.message).not.to.include('hunter2')
  })
})
