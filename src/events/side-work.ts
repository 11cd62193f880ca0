/**
 * Work a dispatcher job starts beside the dispatcher's cycle rather than inside it (a feed poll
 * that may take 20 s, a fan-out to many followers), so it holds up no delivery. One run at a time
 * per process; a stop lets the run under way finish, for at most a given time.
 */
import type { AppContext } from '../context.ts';

interface Run {
  /** From the first look for work until the run ends. */
  busy: boolean;
  running: Promise<void> | null;
  stopped: boolean;
}

export class SideWork<T> {
  readonly #runs = new WeakMap<AppContext, Run>();
  readonly name: string;
  readonly #first: (ctx: AppContext) => Promise<T | undefined>;
  readonly #work: (ctx: AppContext, first: T, stopped: () => boolean) => Promise<void>;
  readonly #leftMessage: string;

  /**
   * `first` finds (and claims) the first piece of work, or nothing; `work` goes on from it until
   * none is left or `stopped()` says to stop. `leftMessage` is logged when a stop cannot wait.
   */
  constructor(
    name: string,
    first: (ctx: AppContext) => Promise<T | undefined>,
    work: (ctx: AppContext, first: T, stopped: () => boolean) => Promise<void>,
    leftMessage: string,
  ) {
    this.name = name;
    this.#first = first;
    this.#work = work;
    this.#leftMessage = leftMessage;
  }

  #runOf(ctx: AppContext): Run {
    let run = this.#runs.get(ctx);
    if (!run) {
      run = { busy: false, running: null, stopped: false };
      this.#runs.set(ctx, run);
    }
    return run;
  }

  /** Starts a run when there is work and none is running; returns 1 if it started one. */
  async start(ctx: AppContext): Promise<number> {
    const run = this.#runOf(ctx);
    if (run.busy || run.stopped) return 0;
    run.busy = true;
    let first: T | undefined;
    try {
      first = await this.#first(ctx);
    } finally {
      if (first === undefined) run.busy = false;
    }
    if (first === undefined) return 0;
    run.running = this.#work(ctx, first, () => run.stopped)
      .catch((error: unknown) => {
        ctx.logger.error({ err: error }, `${this.name} failed`);
      })
      .finally(() => {
        run.busy = false;
        run.running = null;
      });
    return 1;
  }

  /** Settles when the run under way, if any, has ended. */
  async idle(ctx: AppContext): Promise<void> {
    await this.#runOf(ctx).running;
  }

  /**
   * Starts no more runs in this process, and waits for the one under way, for at most
   * `withinMs` when given. Returns false if it was still running.
   */
  async stop(ctx: AppContext, withinMs?: number): Promise<boolean> {
    const run = this.#runOf(ctx);
    run.stopped = true;
    const running = run.running;
    if (!running) return true;
    if (withinMs === undefined) {
      await running;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), withinMs);
    });
    try {
      const done = await Promise.race([running.then(() => true as const), late]);
      if (!done) ctx.logger.warn(this.#leftMessage);
      return done;
    } finally {
      clearTimeout(timer);
    }
  }
}
