/**
 * Who may read `/metrics`: loopback, the addresses of QUIRE_METRICS_ALLOW, and whoever sends
 * QUIRE_METRICS_TOKEN as a bearer token. Metrics tell how busy the site is and how its webhooks
 * fare, which is nobody else's business.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Config } from '../config.ts';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function range(entry: string): Range {
  if (entry.includes('/')) return ipaddr.parseCIDR(entry);
  const address = ipaddr.parse(entry);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * A check of one request: its client address (Fastify's `request.ip`, which believes
 * X-Forwarded-For only from QUIRE_TRUSTED_PROXIES) and its Authorization header.
 */
export function metricsAccess(
  config: Pick<Config, 'metricsAllow' | 'metricsToken'>,
): (ip: string, authorization: string | undefined) => boolean {
  const ranges = config.metricsAllow.map(range);
  const token = config.metricsToken === undefined ? null : digest(config.metricsToken);

  const addressAllowed = (ip: string) => {
    if (!ipaddr.isValid(ip)) return false;
    // An IPv4 client of a server listening on `::` shows as ::ffff:a.b.c.d.
    const address = ipaddr.process(ip);
    if (address.range() === 'loopback') return true;
    return ranges.some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits));
  };

  const tokenMatches = (authorization: string | undefined) => {
    if (token === null || authorization === undefined) return false;
    const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    // Digests have one length, so the comparison takes the same time whatever was sent.
    return given !== undefined && timingSafeEqual(digest(given), token);
  };

  return (ip, authorization) => addressAllowed(ip) || tokenMatches(authorization);
}
