/** What the API and the CLI say when a feed cannot be imported. */
import { AppError } from '../../errors.ts';
import { FeedError } from '../../feeds/parsed.ts';
import { OutboundError } from '../../net/outbound-error.ts';

/** A refused or broken feed is the caller's to fix (422); an unreachable one is a 502. */
export function importError(error: unknown): unknown {
  if (error instanceof OutboundError && (error.code === 'network' || error.code === 'timeout')) {
    return new AppError('bad_gateway', `Could not fetch the feed: ${error.message}`);
  }
  if (error instanceof FeedError || error instanceof OutboundError) {
    return new AppError('validation_failed', `Cannot import this feed: ${error.message}`, {
      errors: [{ field: 'url', message: error.message }],
    });
  }
  return error;
}
