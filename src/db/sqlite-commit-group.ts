/**
 * Group commit for SQLite's write transactions. With `synchronous=FULL` every COMMIT waits for
 * the disk (an fsync of the WAL), and node:sqlite waits on the event loop's thread, so commits
 * one after another stop the whole process once per write. Here, transactions that arrive while
 * one is running wait for it, then run in the same SQLite transaction, each inside a savepoint of
 * its own, and one COMMIT makes them all durable together. A transaction's statements run within
 * one turn of the event loop (node:sqlite answers at once), so others rarely arrive during it:
 * before committing, the group lets the loop turn once (setImmediate), and the transactions
 * that requests ready meanwhile begin join it. A transaction that fails rolls back to
 * its savepoint and fails alone; a COMMIT that fails fails every member of its group, none of
 * which has answered yet. Nobody hears of a member's success before the COMMIT that makes it
 * durable: each one's promise settles after it.
 */
import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.ts';

type DbHandle = Kysely<Schema>;

/** Transactions in one group at most, so the first does not wait too long for its COMMIT. */
const GROUP_LIMIT = 32;

interface Member {
  run(db: DbHandle): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  value?: unknown;
}

export class SqliteCommitGroup {
  readonly #db: DbHandle;
  readonly #queue: Member[] = [];
  #leading = false;

  constructor(db: DbHandle) {
    this.#db = db;
  }

  /** Runs `fn` in a write transaction (BEGIN IMMEDIATE) shared with others waiting beside it. */
  run<T>(fn: (db: DbHandle) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: fn, resolve: (value) => resolve(value as T), reject });
      if (!this.#leading) void this.#lead();
    });
  }

  /** Runs groups until nobody waits; one leader at a time holds the writer connection. */
  async #lead(): Promise<void> {
    this.#leading = true;
    try {
      while (this.#queue.length > 0) {
        await this.#db.connection().execute((conn) => this.#group(conn));
      }
    } catch (error) {
      // No connection to be had (the database closed): nobody waiting can run.
      for (const m of this.#queue.splice(0)) m.reject(error);
    } finally {
      this.#leading = false;
    }
  }

  async #group(conn: DbHandle): Promise<void> {
    const first = this.#queue.shift() as Member;
    try {
      await sql`begin immediate`.execute(conn);
    } catch (error) {
      // The write lock held elsewhere past the busy timeout: this one fails, as it did alone.
      first.reject(error);
      return;
    }
    /** Members whose work is in the transaction, waiting for the COMMIT. */
    const done: Member[] = [];
    let member: Member | undefined = first;
    let yielded = false;
    try {
      while (member) {
        await sql`savepoint quire_member`.execute(conn);
        try {
          member.value = await member.run(conn);
          await sql`release quire_member`.execute(conn);
          done.push(member);
        } catch (error) {
          // Only this member's work is undone, unless SQLite rolled the whole transaction back
          // (a full disk, an I/O error): then the members before it lost theirs too.
          if (!(await undo(conn))) throw error;
          member.reject(error);
        }
        member = done.length < GROUP_LIMIT ? this.#queue.shift() : undefined;
        if (!member && !yielded && done.length < GROUP_LIMIT) {
          yielded = true;
          await new Promise((resolve) => setImmediate(resolve));
          member = this.#queue.shift();
        }
      }
      await sql`commit`.execute(conn);
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => {});
      member?.reject(error);
      for (const m of done) m.reject(error);
      return;
    }
    for (const m of done) m.resolve(m.value);
  }
}

/** Rolls back to the member's savepoint; false when the transaction itself is gone. */
async function undo(conn: DbHandle): Promise<boolean> {
  try {
    await sql`rollback to quire_member`.execute(conn);
    await sql`release quire_member`.execute(conn);
    return true;
  } catch {
    return false;
  }
}
