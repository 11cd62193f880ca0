/**
 * The id of the newest event in the outbox, as this process knows it. Caches key their entries
 * by it: a commit in this process marks it stale at once; commits on other nodes are noticed by
 * polling, so no node serves a stale page or feed for more than about one poll interval.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';

export class EventHead {
  readonly #database: Database;
  readonly #pollMs: number;
  #id = 0;
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

  invalidate(): void {
    this.#generation++;
    this.#stale = true;
    // A read already under way may have started before the commit: the next caller starts anew.
    this.#refresh = null;
  }

  /** The newest event id if it is known to be current, without asking the database. */
  peek(): number | null {
    return this.#stale ? null : this.#id;
  }

  /** The newest event id, reading the database when a commit may have moved it. */
  async current(): Promise<number> {
    if (!this.#stale) return this.#id;
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
    const row = await sql<{ id: number | null }>`select max(id) as id from events`.execute(
      this.#database.db,
    );
    const id = Number(row.rows[0]?.id ?? 0);
    this.#id = Math.max(this.#id, id);
    if (generation === this.#generation) this.#stale = false;
    return this.#id;
  }
}
