// IAM-8: CIDR parsing and matching: normalisation to the network address, single hosts, IPv6 in RFC 5952 form, IPv4-mapped IPv6, strict refusal of odd forms.
import { describe, expect, it } from 'vitest'
import { addressAllowed, type CidrRange, parseCidr } from './ip-allowlist.cidr.ts'

function ranges(...texts: string[]): CidrRange[] {
  return texts.map((text) => {
    const range = parseCidr(text)
    if (!range) throw new Error(`bad ${text}`)
    return range
  })
}

describe('IAM-8 CIDR ranges', () => {
  it.each([
    ['192.168.1.77/24', '192.168.1.0/24'],
    ['192.168.1.77', '192.168.1.77/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8:0:0:0:0:0:1/64', '2001:db8::/64'],
    ['::1', '::1/128'],
    ['::/0', '::/0'],
    ['::ffff:10.1.2.3/104', '10.0.0.0/8'],
    [' 10.0.0.1 ', '10.0.0.1/32'],
  ])('normalises %j to %j', (input, text) => {
    expect(parseCidr(input)?.text).toBe(text)
  })

  it('matches IPv4, IPv6 and IPv4-mapped addresses; never across families', () => {
    const list = ranges('198.51.100.0/24', '2001:db8::/32')
    expect(addressAllowed(list, '198.51.100.255')).toBe(true)
    expect(addressAllowed(list, '198.51.101.0')).toBe(false)
    expect(addressAllowed(list, '::ffff:198.51.100.1')).toBe(true)
    expect(addressAllowed(list, '2001:db8:ffff::1')).toBe(true)
    expect(addressAllowed(list, '2001:db9::1')).toBe(false)
    expect(addressAllowed(ranges('::/0'), '203.0.113.1')).toBe(false)
    expect(addressAllowed(ranges('0.0.0.0/0'), '2001:db8::1')).toBe(false)
    expect(addressAllowed(list, 'not an address')).toBe(false)
    expect(addressAllowed([], 'not an address')).toBe(true)
  })
})
