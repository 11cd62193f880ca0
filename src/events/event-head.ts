/**
 * This node's version of the content: the id of the newest event, which moves whenever an event
 * commits anywhere (ids commit in order; see Tx.lockOutbox). Caches key their entries by it. A
 * commit in this process marks it stale at once, a commit on another node through NOTIFY
 * (PostgreSQL), and a poll catches anything a wake-up missed.
 */
import type { Database } from '../db/database.ts';
import { newestEventId } from './events.repository.ts';

export class EventHead {
  readonly #database: Database;
  readonly #pollMs: number;
  #version = 0;
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

  /** The version if it is known to be current, without asking the database. */
  peek(): number | null {
    return this.#stale ? null : this.#version;
  }

  /** The current version, reading the database when a commit may have moved it. */
  async current(): Promise<number> {
    if (!this.#stale) return this.#version;
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
    this.#version = Math.max(this.#version, await newestEventId(this.#database.db));
    if (generation === this.#generation) this.#stale = false;
    return this.#version;
  }
}
