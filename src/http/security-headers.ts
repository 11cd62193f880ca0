/**
 * Headers every answer carries, from the framework's hooks and from the fast path alike. The
 * Content-Security-Policy allows no inline script or style: the pages' one script and one
 * stylesheet come from this origin, and article images may come from anywhere on the web.
 */
import type { Config } from '../config.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: http: data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

export function securityHeaders(config: Pick<Config, 'baseUrl'>): Readonly<Record<string, string>> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    // Only a site served over https may pin browsers to https.
    ...(config.baseUrl.startsWith('https:')
      ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }
      : {}),
  };
}
