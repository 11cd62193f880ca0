/**
 * Verification of intent (WebSub section 5.3): a GET to the callback with a random challenge,
 * which the subscriber confirms by answering 2xx with exactly that challenge as the body.
 * Through the SSRF guard, with a short timeout and without following redirects.
 */
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import { OutboundError, pushPolicy, safeFetch } from '../../net/safe-fetch.ts';
import type { HubMode } from './subscription-request.ts';

export const WEBSUB_USER_AGENT = 'Quire-WebSub/1.0';
export const VERIFY_TIMEOUT_MS = 10_000;
/** Enough for any challenge we send; a longer answer is cut and then cannot match. */
const MAX_ANSWER_BYTES = 1024;

export interface Intent {
  mode: HubMode;
  topic: string;
  callback: string;
  leaseSeconds: number;
}

export type Verdict = { confirmed: true } | { confirmed: false; reason: string };

/** The callback with the hub's parameters added, its own query kept as the subscriber wrote it. */
export function verificationUrl(intent: Intent, challenge: string): string {
  const params = new URLSearchParams({
    'hub.mode': intent.mode,
    'hub.topic': intent.topic,
    'hub.challenge': challenge,
  });
  if (intent.mode === 'subscribe') params.set('hub.lease_seconds', String(intent.leaseSeconds));
  const [callback = ''] = intent.callback.split('#', 1);
  return `${callback}${callback.includes('?') ? '&' : '?'}${params}`;
}

export async function askCallback(ctx: AppContext, intent: Intent): Promise<Verdict> {
  const challenge = randomBytes(32).toString('base64url');
  try {
    const answer = await safeFetch(verificationUrl(intent, challenge), {
      method: 'GET',
      headers: { 'user-agent': WEBSUB_USER_AGENT },
      ...pushPolicy(ctx.config),
      followRedirects: false,
      timeoutMs: VERIFY_TIMEOUT_MS,
      maxBytes: MAX_ANSWER_BYTES,
      overflow: 'truncate',
    });
    if (answer.status < 200 || answer.status > 299) {
      return { confirmed: false, reason: `the callback answered ${answer.status}` };
    }
    if (new TextDecoder().decode(answer.body) !== challenge) {
      return { confirmed: false, reason: 'the callback did not echo the challenge' };
    }
    return { confirmed: true };
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    return { confirmed: false, reason: error.message };
  }
}
