import { describe, it } from 'mocha'
import { expect } from 'chai'
import { parseUsername, usernameKey, usernameProblem } from '../../src/domain/username.ts'
import type { Username } from '../../src/domain/username.ts'
import { throwsWith } from '../support/core_fixtures.ts'

const LENGTH = 'must be 3 to 64 characters long'
const CHARACTERS = 'may contain only letters, digits, "_", "." and "-"'

describe('parseUsername', () => {
  it('returns a valid username unchanged, letter case included', () => {
    expect(parseUsername('Alice_01.b-c')).to.equal('Alice_01.b-c')
  })

  it('accepts 3 and 64 characters', () => {
    expect(parseUsername('abc')).to.equal('abc')
    expect(parseUsername('a'.repeat(64))).to.equal('a'.repeat(64))
  })

  it('refuses 2 and 65 characters, naming the field', () => {
    for (const raw of ['ab', 'a'.repeat(65)]) {
      const error = throwsWith(() => parseUsername(raw), 'invalid_request')
      expect(error.fields).to.deep.equal({ username: LENGTH })
    }
  })

  it('refuses the empty string', () => {
    expect(throwsWith(() => parseUsername(''), 'invalid_request').fields).to.deep.equal({ username: LENGTH })
  })

  it('refuses characters outside letters, digits, "_", "." and "-"', () => {
    const bad = ['al ice', 'alice@example.com', 'josé', 'аlice', 'alice\n', '<script>', 'ａｌｉｃｅ', 'a/b', 'a$b']
    for (const raw of bad) {
      expect(throwsWith(() => parseUsername(raw), 'invalid_request').fields, raw).to.deep.equal({
        username: CHARACTERS,
      })
    }
  })

  it('never coerces non-strings, even those whose string form would be valid', () => {
    const bad: unknown[] = [12345, ['alice'], { $gt: '' }, null, true, false, { toString: () => 'alice' }, 0n]
    for (const raw of bad) {
      const error = throwsWith(() => parseUsername(raw), 'invalid_request')
      expect(error.fields, String(raw)).to.deep.equal({ username: 'must be a string' })
    }
  })

  it('reports a missing username as required', () => {
    expect(throwsWith(() => parseUsername(undefined), 'invalid_request').fields).to.deep.equal({
      username: 'is required',
    })
  })

  it('says what failed and why in the message', () => {
    expect(throwsWith(() => parseUsername('ab'), 'invalid_request').message).to.equal(`Invalid username: it ${LENGTH}`)
  })
})

describe('usernameProblem', () => {
  it('finds no problem with a valid username', () => {
    expect(usernameProblem('bob.smith')).to.equal(undefined)
  })

  it('checks the type before the length', () => {
    expect(usernameProblem(12)).to.equal('must be a string')
  })
})

describe('usernameKey', () => {
  it('gives the same key to names that differ only in letter case', () => {
    const keys = ['Alice', 'ALICE', 'alice', 'aLiCe'].map((name) => usernameKey(name as Username))
    expect(new Set(keys)).to.deep.equal(new Set(['alice']))
  })

  it('keeps digits and punctuation, so different names keep different keys', () => {
    expect(usernameKey('Bob_1.x-Y' as Username)).to.equal('bob_1.x-y')
    expect(usernameKey('bob1' as Username)).not.to.equal(usernameKey('bob2' as Username))
  })
})
