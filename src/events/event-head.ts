/**
 * How far this node has followed the outbox: the id of the newest event whose cache keys it has
 * applied. Caches listen: each event read from the tail hands its keys (`cache-keys.ts`) to them,
 * so they drop exactly the answers built from what changed. A commit in this process marks the
 * head stale at once, a commit on another node through NOTIFY (PostgreSQL), and a poll catches
 * anything a wake-up missed; the next reader then reads the events after the head, in id order
 * (ids commit in order; see Tx.lockOutbox).
 */
import type { Database } from '../db/database.ts';
import { splitKeys } from './cache-keys.ts';
import { eventKeysAfter, newestEventId } from './events.repository.ts';

/**
 * Told each event's keys in order, or null for "everything changed" (an event from before keys
 * were stored, or a backlog too long to read one by one).
 */
export type KeysListener = (keys: readonly string[] | null, eventId: number) => void;

/** Events read per query while catching up. */
const BATCH = 1000;
/**
 * A tail longer than this (a large import another node ran) is not read event by event: every
 * cached answer is dropped at once and the head jumps to the newest event.
 */
const MAX_TAIL = 20_000;

export class EventHead {
  readonly #database: Database;
  readonly #pollMs: number;
  readonly #listeners = new Set<KeysListener>();
  #position = 0;
  #started = false;
  #stale = true;
  /** Bumped by every local commit, so a read that raced with a commit does not clear `stale`. */
  #generation = 0;
  #refresh: Promise<number> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(database: Database, pollMs = 1000) {
    this.#database = database;
    this.#pollMs = pollMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#unsubscribe = this.#database.onEventsCommitted(() => this.invalidate());
    this.#timer = setInterval(() => this.invalidate(), this.#pollMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  /** Calls `listener` with the keys of every event read from now on; returns the unsubscribe. */
  onKeys(listener: KeysListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  invalidate(): void {
    this.#generation++;
    this.#stale = true;
    // A read already under way may have started before the commit: the next caller starts anew.
    this.#refresh = null;
  }

  /** The position if it is known to be current, without asking the database. */
  peek(): number | null {
    return this.#stale ? null : this.#position;
  }

  /** The current position, reading the outbox's tail when a commit may have moved it. */
  async current(): Promise<number> {
    if (!this.#stale) return this.#position;
    if (!this.#refresh) {
      const read = this.#read().finally(() => {
        if (this.#refresh === read) this.#refresh = null;
      });
      this.#refresh = read;
    }
    return this.#refresh;
  }

  async #read(): Promise<number> {
    const generation = this.#generation;
    const db = this.#database.db;
    if (!this.#started) {
      // Nothing is cached before the first read: the history before it changes nothing.
      this.#position = Math.max(this.#position, await newestEventId(db));
      this.#started = true;
    } else {
      let read = 0;
      for (;;) {
        const rows = await eventKeysAfter(db, this.#position, BATCH);
        for (const row of rows) {
          const id = Number(row.id);
          if (id <= this.#position) continue;
          this.#position = id;
          this.#tell(splitKeys(row.cache_keys), id);
        }
        read += rows.length;
        if (rows.length < BATCH) break;
        if (read >= MAX_TAIL) {
          const newest = await newestEventId(db);
          this.#position = Math.max(this.#position, newest);
          this.#tell(null, this.#position);
          break;
        }
      }
    }
    if (generation === this.#generation) this.#stale = false;
    return this.#position;
  }

  #tell(keys: readonly string[] | null, id: number): void {
    for (const listener of this.#listeners) listener(keys, id);
  }
}
