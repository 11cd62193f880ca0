/**
 * One PostgreSQL connection that LISTENs for commits with events on other nodes (and this one),
 * reconnecting after a lost connection. Missing a notification is harmless: readers also poll.
 */
import pg from 'pg';

export const EVENTS_CHANNEL = 'quire_events';
const RECONNECT_MS = 1000;

export class PgListener {
  readonly #url: string;
  readonly #onNotify: () => void;
  #client: pg.Client | null = null;
  #closed = false;
  #retry: NodeJS.Timeout | null = null;

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
    // Whatever was committed while there was no connection is caught up by this wake-up.
    this.#onNotify();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.#connect();
    }, RECONNECT_MS);
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
