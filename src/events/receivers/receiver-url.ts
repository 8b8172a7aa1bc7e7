// Where SETs may be pushed (SSRF): an event stream's endpoint must be a public https URL. The
// operator widens that with EVENT_RECEIVER_ALLOWLIST (hosts, IPs, CIDRs), e.g. for a receiver in
// the same private network. Checked at registration and again on every connection (receiver-client).
import { BlockList, isIP } from 'node:net';

/** A receiver URL or address this service refuses to send to; the message says why. */
export class ReceiverUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReceiverUrlError';
  }
}

/** EVENT_RECEIVER_ALLOWLIST, parsed: exact host names, and IPs/CIDRs. */
export interface ReceiverAllowlist {
  hosts: ReadonlySet<string>;
  addresses: BlockList;
  /** True when the list has no entry at all (nothing private is permitted). */
  empty: boolean;
}

/** Host names that reach cloud metadata services; refused even though they are not IP literals. */
const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

const DENIED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT (also Alibaba's metadata 100.100.100.200)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (AWS, GCP, Azure metadata 169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments (Oracle metadata 192.0.0.192)
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  DENIED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (AWS metadata fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  DENIED.addSubnet(network, prefix, 'ipv6');
}

/** Parses EVENT_RECEIVER_ALLOWLIST entries; throws on an entry that is none of host, IP, CIDR. */
export function parseReceiverAllowlist(entries: readonly string[]): ReceiverAllowlist {
  const hosts = new Set<string>();
  const addresses = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      const network = unbracket(entry.slice(0, slash));
      const prefixText = entry.slice(slash + 1);
      const family = isIP(network);
      const prefix = Number(prefixText);
      if (!family || !/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) {
        throw new ReceiverUrlError(`'${raw}' is not a valid CIDR (expected e.g. 10.1.0.0/16 or fd00::/8)`);
      }
      addresses.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    const address = unbracket(entry);
    const family = isIP(address);
    if (family) {
      addresses.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(entry) || entry.length > 253) {
      throw new ReceiverUrlError(`'${raw}' is not a host name, an IP address or a CIDR`);
    }
    hosts.add(entry.replace(/\.$/, ''));
  }
  return { hosts, addresses, empty: hosts.size === 0 && addresses.rules.length === 0 };
}

export const EMPTY_ALLOWLIST: ReceiverAllowlist = parseReceiverAllowlist([]);

/** The allow-list names `host` (a URL hostname, IPv6 in brackets or not). */
export function hostAllowed(host: string, allow: ReceiverAllowlist): boolean {
  const name = unbracket(host.toLowerCase()).replace(/\.$/, '');
  if (allow.hosts.has(name)) return true;
  return isIP(name) !== 0 && addressAllowed(name, allow);
}

/**
 * Why this service must not connect to `address` (an IP literal), or null when it may: public,
 * or permitted by the allow-list. IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4) is judged as IPv4.
 */
export function addressProblem(address: string, allow: ReceiverAllowlist = EMPTY_ALLOWLIST): string | null {
  const plain = unbracket(address).replace(/%.*$/, '');
  const family = isIP(plain);
  if (!family) return `'${address}' is not an IP address`;
  if (addressAllowed(plain, allow)) return null;
  const ipv4 = family === 4 ? plain : embeddedIpv4(plain);
  if (ipv4 !== null) {
    if (allow.addresses.check(ipv4, 'ipv4')) return null;
    return DENIED.check(ipv4, 'ipv4') ? `${address} is not a public address (${ipv4})` : null;
  }
  return DENIED.check(plain, 'ipv6') ? `${address} is not a public address` : null;
}

function addressAllowed(address: string, allow: ReceiverAllowlist): boolean {
  if (allow.empty) return false;
  const family = isIP(address);
  if (family === 4) return allow.addresses.check(address, 'ipv4');
  if (family !== 6) return false;
  if (allow.addresses.check(address, 'ipv6')) return true;
  const ipv4 = embeddedIpv4(address);
  return ipv4 !== null && allow.addresses.check(ipv4, 'ipv4');
}

/**
 * Checks an endpoint URL's form (before any DNS): http(s), https unless the host is allow-listed,
 * no user info, no fragment; an IP-literal host must be public or allow-listed. Answers the parsed
 * URL (Node's parser has already normalised `2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`).
 */
export function checkReceiverUrlForm(raw: string, allow: ReceiverAllowlist = EMPTY_ALLOWLIST): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ReceiverUrlError('endpointUrl is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ReceiverUrlError(`endpointUrl must be an https URL, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ReceiverUrlError(
      'endpointUrl must not carry user info (user:password@); configure credentials otherwise',
    );
  }
  if (url.hash !== '') throw new ReceiverUrlError('endpointUrl must not have a fragment');
  const host = unbracket(url.hostname).replace(/\.$/, '');
  if (host === '') throw new ReceiverUrlError('endpointUrl has no host');
  const allowed = hostAllowed(host, allow);
  if (url.protocol === 'http:' && !allowed) {
    throw new ReceiverUrlError(
      `endpointUrl must use https (http only for hosts in EVENT_RECEIVER_ALLOWLIST; '${host}' is not)`,
    );
  }
  if (allowed) return url;
  if (isIP(host)) {
    const problem = addressProblem(host, allow);
    if (problem) throw new ReceiverUrlError(`endpointUrl ${problem}; add it to EVENT_RECEIVER_ALLOWLIST to permit it`);
    return url;
  }
  if (METADATA_HOSTS.has(host) || host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) {
    throw new ReceiverUrlError(`endpointUrl host '${host}' is not a public host name`);
  }
  return url;
}

export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

/**
 * The full registration check: the form, then (for a host name not on the allow-list) every
 * address it resolves to must be public. A name that does not resolve is refused.
 */
export async function checkReceiverUrl(raw: string, allow: ReceiverAllowlist, resolve: Resolver): Promise<URL> {
  const url = checkReceiverUrlForm(raw, allow);
  const host = unbracket(url.hostname).replace(/\.$/, '');
  if (isIP(host) || hostAllowed(host, allow)) return url;
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await resolve(host);
  } catch {
    throw new ReceiverUrlError(`endpointUrl host '${host}' does not resolve`);
  }
  if (addresses.length === 0) throw new ReceiverUrlError(`endpointUrl host '${host}' does not resolve`);
  for (const { address } of addresses) {
    const problem = addressProblem(address, allow);
    if (problem) throw new ReceiverUrlError(`endpointUrl host '${host}' resolves to ${problem}`);
  }
  return url;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16), or null. */
export function embeddedIpv4(address: string): string | null {
  const words = ipv6Words(address);
  if (!words) return null;
  const v4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  const zeros = (from: number, to: number) => words.slice(from, to).every((word) => word === 0);
  if (zeros(0, 5) && words[5] === 0xffff) return v4(words[6], words[7]); // ::ffff:a.b.c.d
  if (zeros(0, 4) && words[4] === 0xffff && words[5] === 0) return v4(words[6], words[7]); // ::ffff:0:a.b.c.d
  if (zeros(0, 6) && (words[6] !== 0 || words[7] > 1)) return v4(words[6], words[7]); // ::a.b.c.d
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return v4(words[6], words[7]); // NAT64
  if (words[0] === 0x2002) return v4(words[1], words[2]); // 6to4
  return null;
}

/** Eight 16-bit words of an IPv6 address (with `::` and a trailing dotted quad), or null. */
function ipv6Words(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  const text = address
    .toLowerCase()
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) =>
      [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((word) => word.toString(16)).join(':'),
    );
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((word) => parseInt(word, 16)));
  const [left, right] = text.split('::');
  const head = parse(left);
  const rest = right === undefined ? [] : parse(right);
  const missing = 8 - head.length - rest.length;
  if (missing < 0 || (right === undefined && missing !== 0)) return null;
  const words = [...head, ...new Array<number>(missing).fill(0), ...rest];
  return words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffff) ? words : null;
}
