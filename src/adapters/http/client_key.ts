import ipaddr from 'ipaddr.js'

/** The key every address that cannot be parsed shares. */
export const UNPARSED_CLIENT_KEY = 'unparsed'

/**
 * The key a client address is rate-limited under: IPv4 (IPv4-mapped IPv6 too) as it is, IPv6 by
 * its /64, and anything that does not parse under {@linkcode UNPARSED_CLIENT_KEY}.
 */
export function clientKey(address: string): string {
  // One host is commonly given a whole /64: keyed per /128, it could take a new address per
  // request. An unreadable address shares one key: the door does not open wider for it.
  const raw = address.trim()
  if (ipaddr.IPv4.isValidFourPartDecimal(raw)) return ipaddr.IPv4.parse(raw).toString()
  if (!ipaddr.IPv6.isValid(raw)) return UNPARSED_CLIENT_KEY
  const ip = ipaddr.IPv6.parse(raw)
  if (ip.isIPv4MappedAddress()) return ip.toIPv4Address().toString()
  // The zone id names a local interface, not a host: it is dropped with the interface id.
  const prefix = new ipaddr.IPv6([...ip.parts.slice(0, 4), 0, 0, 0, 0])
  return `${prefix.toString()}/64`
}
