/** Per-route rate limits shared by the API's write routes. */
import type { AppContext } from '../context.ts';

/** Route config for writes: `QUIRE_WRITE_RATE_LIMIT` per minute per key or address. */
export const writeLimit = (ctx: AppContext) => ({
  rateLimit: { max: ctx.config.writeRateLimit, timeWindow: 60_000 },
});
