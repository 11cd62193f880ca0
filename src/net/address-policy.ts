/**
 * Which addresses and URLs an outbound request to a user-supplied URL may reach: only globally
 * routable unicast, plus loopback and private ranges when QUIRE_ALLOW_PRIVATE_URLS is set.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { OutboundError } from './outbound-error.ts';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

/** Ranges that allowPrivate opens; link-local (cloud metadata) and unspecified never open. */
const PRIVATE_V4 = new Set<string>(['loopback', 'private']);
const PRIVATE_V6 = new Set<string>(['loopback', 'uniqueLocal']);

/** IANA has only allocated global unicast from 2000::/3; anything else ipaddr.js calls unicast is not. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parse('2000::');
/** NAT64 local-use prefix (RFC 8215): translated by a local gateway, so its target is unknowable. */
const NAT64_LOCAL_USE = ipaddr.IPv6.parse('64:ff9b:1::');

function v4FromParts(high: number, low: number): IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function isAllowedV4(address: IPv4, allowPrivate: boolean): boolean {
  const range = address.range();
  return range === 'unicast' || (allowPrivate && PRIVATE_V4.has(range));
}

function isAllowedV6(address: IPv6, allowPrivate: boolean): boolean {
  const parts = address.parts;
  const part = (i: number) => parts[i] ?? 0;
  switch (address.range()) {
    case 'unicast':
      return address.match(GLOBAL_UNICAST_V6, 3);
    case 'ipv4Mapped':
    case 'rfc6145':
      // The socket reaches the embedded IPv4 address itself, so it gets the IPv4 verdict.
      return isAllowedV4(v4FromParts(part(6), part(7)), allowPrivate);
    case 'rfc6052':
      // Tunnels and translators carry traffic to the embedded IPv4 address through a relay;
      // a relay reaching someone's private range is never what local testing needs.
      return (
        !address.match(NAT64_LOCAL_USE, 48) && isAllowedV4(v4FromParts(part(6), part(7)), false)
      );
    case '6to4':
      return isAllowedV4(v4FromParts(part(1), part(2)), false);
    case 'teredo':
      // Server address in the clear, client address obfuscated by inverting every bit.
      return (
        isAllowedV4(v4FromParts(part(2), part(3)), false) &&
        isAllowedV4(v4FromParts(~part(6) & 0xffff, ~part(7) & 0xffff), false)
      );
    default:
      return allowPrivate && PRIVATE_V6.has(address.range());
  }
}

/**
 * Whether a connection to this IP address is allowed. Only canonical forms count as addresses
 * (dotted decimal, RFC 4291 text): DNS answers and WHATWG-parsed hosts always are, and a lax
 * parser's guess at "0177.1" is exactly the kind of disagreement an attacker would exploit.
 */
export function isAllowedAddress(ip: string, allowPrivate: boolean): boolean {
  // A zone index scopes the address to an interface, which only link-local use needs.
  const family = isIP(ip);
  if (family === 0 || ip.includes('%')) return false;
  if (family === 4) return isAllowedV4(ipaddr.IPv4.parse(ip), allowPrivate);
  // ipaddr.js reads "::a.b.c.d" as "::ffff:a.b.c.d"; the OS reads it as ::a.b:c.d (RFC 4291).
  // The URL parser writes every IPv6 address in plain hex, which ipaddr.js reads correctly.
  const hex = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  return isAllowedV6(ipaddr.IPv6.parse(hex), allowPrivate);
}

/** The URL's host as a connection would use it: no IPv6 brackets, no trailing root dot. */
export function hostOf(url: URL): string {
  const host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) return host.slice(1, -1);
  return host.replace(/\.+$/, '');
}

function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/** Shortens user input quoted in messages, which end up in logs and API answers. */
export function quote(url: string): string {
  return JSON.stringify(url.length > 200 ? `${url.slice(0, 200)}…` : url);
}

/**
 * Checks what can be checked without DNS: syntax, scheme, credentials, literal addresses and
 * localhost names. Used when a URL is stored and again on every hop of a request; names that
 * resolve to refused addresses are caught when the connection is made.
 */
export function checkOutboundUrl(
  url: string,
  options: { allowPrivate: boolean; requireHttps?: boolean },
): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OutboundError('invalid_url', `Not an absolute URL: ${quote(url)}`);
  }
  const allowed = options.requireHttps === true ? ['https:'] : ['http:', 'https:'];
  if (!allowed.includes(parsed.protocol)) {
    throw new OutboundError(
      'scheme_not_allowed',
      `Only ${allowed.map((p) => p.slice(0, -1)).join(' and ')} URLs are allowed, not ${parsed.protocol.slice(0, -1)}`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Credentials would be sent to whoever the URL points at and show up wherever it is shown.
    throw new OutboundError('invalid_url', 'URLs with a user name or password are not allowed');
  }
  const host = hostOf(parsed);
  if (host === '') throw new OutboundError('invalid_url', `No host in ${quote(url)}`);
  if (isIP(host) !== 0) {
    if (!isAllowedAddress(host, options.allowPrivate)) {
      throw new OutboundError('address_not_allowed', `The address ${host} is not allowed`);
    }
  } else if (!options.allowPrivate && isLocalhostName(host)) {
    throw new OutboundError('address_not_allowed', `The host ${host} is not allowed`);
  }
  return parsed;
}
