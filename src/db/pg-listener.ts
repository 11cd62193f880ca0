/**
 * One PostgreSQL connection that LISTENs for commits with events on other nodes (and this one),
 * reconnecting after a lost connection, sooner at first and then less often while the database
 * stays away. Missing a notification is harmless: readers also poll.
 */
import pg from 'pg';

export const EVENTS_CHANNEL = 'quire_events';
/** The first reconnection waits this long; each failure doubles it, up to the maximum. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

export class PgListener {
  readonly #url: string;
  readonly #onNotify: () => void;
  #client: pg.Client | null = null;
  #closed = false;
  #retry: NodeJS.Timeout | null = null;
  #failures = 0;

  constructor(url: string, onNotify: () => void) {
    this.#url = url;
    this.#onNotify = onNotify;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: 10_000 });
    const lost = () => {
      if (this.#client === client) this.#client = null;
      client.end().catch(() => {});
      this.#scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => {
      if (this.#client === client) lost();
    });
    client.on('notification', () => this.#onNotify());
    try {
      await client.connect();
      await client.query(`listen ${EVENTS_CHANNEL}`);
    } catch {
      lost();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#failures = 0;
    // Whatever was committed while there was no connection is caught up by this wake-up.
    this.#onNotify();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retry) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.#failures);
    this.#failures++;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.#connect();
    }, delay);
    this.#retry.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }
}
