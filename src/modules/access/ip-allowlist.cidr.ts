// IAM-8: CIDR ranges and client addresses, IPv4 and IPv6, through ipaddr.js. Strict on input:
// IPv4 only in four-part decimal (no "127.1", no hex or octal), no IPv6 zone ids, a decimal
// prefix in range. An address without a prefix is a single host (/32, /128). An IPv4-mapped
// IPv6 range (::ffff:a.b.c.d/96 and longer) is kept as its IPv4 range, and a mapped client
// address is matched as IPv4, so ::ffff:1.2.3.4 falls in 1.2.3.0/24.
import ipaddr from 'ipaddr.js'

type Address = ipaddr.IPv4 | ipaddr.IPv6

export interface CidrRange {
  address: Address
  prefix: number
  /** The normalised text: network address and prefix, IPv6 in RFC 5952 form. */
  text: string
}

const PREFIX = /^[0-9]{1,3}$/
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/

function toText(address: Address): string {
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString()
}

/** Parses and normalises one range; null when it is not a valid IPv4 or IPv6 CIDR. */
export function parseCidr(input: string): CidrRange | null {
  const value = input.trim()
  if (value.length === 0 || value.length > 64) return null
  const parts = value.split('/')
  if (parts.length > 2) return null
  const [host = '', prefixText] = parts
  if (prefixText !== undefined && !PREFIX.test(prefixText)) return null
  let kind: 'ipv4' | 'ipv6'
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) kind = 'ipv4'
  else if (IPV6_CHARS.test(host) && ipaddr.IPv6.isValid(host)) kind = 'ipv6'
  else return null
  const max = kind === 'ipv4' ? 32 : 128
  const prefix = prefixText === undefined ? max : Number(prefixText)
  if (prefix > max) return null
  let address: Address =
    kind === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${host}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${host}/${prefix}`)
  let bits = prefix
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && prefix >= 96) {
    address = address.toIPv4Address()
    bits = prefix - 96
  }
  return { address, prefix: bits, text: `${toText(address)}/${bits}` }
}

/** The client address as matched: IPv4-mapped IPv6 becomes IPv4; null when unparsable. */
export function parseClientAddress(ip: string): Address | null {
  try {
    const address = ipaddr.process(ip)
    if (address instanceof ipaddr.IPv6 && address.zoneId) {
      return ipaddr.IPv6.parse(ip.slice(0, ip.indexOf('%')))
    }
    return address
  } catch {
    return null
  }
}

/** Whether the address falls in one of the ranges; an empty list allows every address. */
export function addressAllowed(ranges: readonly CidrRange[], ip: string): boolean {
  if (ranges.length === 0) return true
  const address = parseClientAddress(ip)
  if (!address) return false
  return ranges.some(
    (range) =>
      range.address.kind() === address.kind() && address.match(range.address, range.prefix),
  )
}
