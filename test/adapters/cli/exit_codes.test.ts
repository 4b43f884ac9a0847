import { describe, it } from 'mocha'
import { expect } from 'chai'
import { EX_CONFIG, EX_OK, EX_SOFTWARE, EX_USAGE, EXIT_CODE } from '../../../src/adapters/cli/exit_codes.ts'

describe('EXIT_CODE', () => {
  it('gives every error code a failure status of sysexits.h, never 0 or the internal-error status', () => {
    for (const [code, status] of Object.entries(EXIT_CODE)) {
      expect(status, code).to.be.within(64, 78)
      expect(status, code).to.not.be.oneOf([EX_OK, EX_SOFTWARE, EX_CONFIG])
    }
  })

  it('tells a script apart the failures the CLI can meet', () => {
    const seen = ['invalid_request', 'not_found', 'username_taken', 'service_unavailable'] as const
    expect(new Set(seen.map((code) => EXIT_CODE[code])).size).to.equal(seen.length)
    expect(seen.map((code) => EXIT_CODE[code])).to.not.include(EX_USAGE)
    expect(EXIT_CODE.not_found).to.equal(67)
    expect(EXIT_CODE.service_unavailable).to.equal(69)
  })
})
