import { describe, it } from 'mocha'
import { expect } from 'chai'
import { parseFeedMessage } from '../../../src/adapters/redis/feed_message.ts'

describe('parseFeedMessage', () => {
  const entry = { kind: 'jti', id: 'abc', value: 0, expiresAt: 1_900_000_000 } as const

  it('reads a revocation with the sequence number it was published at', () => {
    expect(parseFeedMessage(JSON.stringify({ seq: 12, ...entry }))).to.deep.equal({ seq: 12, entry })
  })

  it('reads a heartbeat with the sequence number it carries', () => {
    expect(parseFeedMessage('hb:0')).to.deep.equal({ seq: 0, entry: undefined })
    expect(parseFeedMessage('hb:41')).to.deep.equal({ seq: 41, entry: undefined })
  })

  it('passes over the bare heartbeat of an instance from before sequence numbers', () => {
    expect(parseFeedMessage('hb')).to.equal(undefined)
  })

  it("reads an older instance's revocation, with no sequence number", () => {
    expect(parseFeedMessage(JSON.stringify(entry))).to.deep.equal({ seq: undefined, entry })
    expect(parseFeedMessage(JSON.stringify({ seq: -3, ...entry }))).to.deep.equal({ seq: undefined, entry })
    expect(parseFeedMessage(JSON.stringify({ seq: 0, ...entry }))).to.deep.equal({ seq: undefined, entry })
  })

  const garbled = [
    'hb:x',
    'xhb:12',
    'hb:12x',
    'hb:1234567890123456',
    'nonsense',
    '{"seq":3',
    'null',
    '{"seq":3,"kind":"all","id":"x","value":0,"expiresAt":1}',
    '{"seq":3,"kind":"jti","id":"","value":0,"expiresAt":1}',
    '{"seq":3,"kind":"jti","id":5,"value":0,"expiresAt":1}',
  ]
  for (const message of garbled) {
    it(`gives ${JSON.stringify(message)} neither a sequence number nor an entry`, () => {
      expect(parseFeedMessage(message)).to.deep.equal({ seq: undefined, entry: undefined })
    })
  }
})
