/**
 * A DNS lookup that refuses a name when any of its addresses is refused, used by the socket itself
 * so the address checked is the address connected to (DNS rebinding gets no second answer).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isAllowedAddress } from './address-policy.ts';
import { OutboundError } from './outbound-error.ts';

function asList(address: string | LookupAddress[], family: number | undefined): LookupAddress[] {
  if (Array.isArray(address)) return address;
  return [{ address, family: family ?? (address.includes(':') ? 6 : 4) }];
}

/**
 * Wraps `base` (node:dns lookup by default). Every address of the answer is judged, not just the
 * one a caller would pick: with Happy Eyeballs the socket may try any of them.
 */
export function guardedLookup(
  allowPrivate: boolean,
  base: LookupFunction = dnsLookup,
): LookupFunction {
  return (hostname, options, callback) => {
    base(hostname, { ...options, all: true }, (error, address, family) => {
      if (error) {
        callback(error, '');
        return;
      }
      const addresses = asList(address, family);
      if (addresses.length === 0) {
        callback(new OutboundError('network', `${hostname} has no addresses`), '');
        return;
      }
      const refused = addresses.find((a) => !isAllowedAddress(a.address, allowPrivate));
      if (refused) {
        callback(
          new OutboundError(
            'address_not_allowed',
            `${hostname} resolves to ${refused.address}, which is not allowed`,
          ),
          '',
        );
        return;
      }
      if (options.all === true) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The guarded lookup as a promise, for checking a name before any socket exists. */
export function resolveChecked(lookup: LookupFunction, hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true }, (error, address, family) => {
      if (error) reject(error);
      else resolve(asList(address, family));
    });
  });
}
