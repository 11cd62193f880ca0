/**
 * The measuring side of bench/scale.ts: single requests timed to the last byte and bounded by a
 * deadline, `quire serve` as a child process with its start-up timed, the server's event-loop
 * delay as its /metrics reports it, and an administrator's signed-in session whose saves of the
 * site's settings make every cached page, feed and API answer stale.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type Agent, request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './common.ts';

export interface Hit {
  status: number;
  /** From sending the request to its last byte, in milliseconds. */
  ms: number;
  body: Buffer;
  headers: Record<string, string>;
  /** Each Set-Cookie header, as sent. */
  setCookie: string[];
  /** No full answer came within the deadline (status is then 0). */
  timedOut: boolean;
  /** The connection failed (refused, reset) before an answer. */
  failed: boolean;
}

/** Headers a server adds by itself per connection or per second, not part of the answer. */
const OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

export interface HitOptions {
  timeoutMs: number;
  agent?: Agent;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One request with node:http, which hands back the body exactly as sent. */
export function hit(url: string, options: HitOptions): Promise<Hit> {
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (partial: Partial<Hit>) =>
      resolve({
        status: 0,
        body: Buffer.alloc(0),
        headers: {},
        setCookie: [],
        timedOut: false,
        failed: false,
        ...partial,
        ms: performance.now() - started,
      });
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => done({ timedOut: true }));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (!OWN_HEADERS.has(k) && v !== undefined)
              headers[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          done({
            status: res.statusCode ?? 0,
            headers,
            setCookie: res.headers['set-cookie'] ?? [],
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    req.on('error', (error) =>
      done(
        error.name === 'AbortError' || error.name === 'TimeoutError'
          ? { timedOut: true }
          : { failed: true },
      ),
    );
    req.end(options.body);
  });
}

export interface QuireServer {
  child: ChildProcess;
  url: string;
  /** From spawning the process to the first 200 on /healthz, then on /readyz, in ms. */
  healthzMs: number;
  readyzMs: number;
}

/**
 * Starts `quire serve` (bin/quire.js, as an operator runs it) with this environment, its
 * stdout and stderr to `logFd`, and waits for /healthz, then /readyz, to answer 200.
 */
export async function startQuire(
  env: Record<string, string>,
  logFd: number,
  timeoutMs: number,
): Promise<QuireServer> {
  const url = `http://127.0.0.1:${env.PORT}`;
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'quire.js'), 'serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', logFd, logFd],
  });
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = String(signal ?? code);
  });
  const until = async (path: string) => {
    for (;;) {
      if (exited !== null) throw new Error(`quire serve exited (${exited}) while starting`);
      if (performance.now() - started > timeoutMs) {
        child.kill('SIGKILL');
        throw new Error(`quire serve did not answer ${path} within ${timeoutMs} ms`);
      }
      const answer = await hit(url + path, { timeoutMs: 2000 });
      if (answer.status === 200) return performance.now() - started;
      await sleep(answer.failed ? 5 : 20);
    }
  };
  const healthzMs = await until('/healthz');
  const readyzMs = await until('/readyz');
  return { child, url, healthzMs, readyzMs };
}

/** Stops the server: SIGTERM and up to 15 s to finish, or at once with SIGKILL. */
export function stopQuire(server: QuireServer, now = false): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), now ? 0 : 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(now ? 'SIGKILL' : 'SIGTERM');
  });
}

export interface LoopDelay {
  /** Milliseconds, from prom-client's event-loop delay histogram since the previous scrape. */
  p50: number;
  p99: number;
  max: number;
}

/**
 * The event-loop delay since the previous scrape: prom-client resets its histogram
 * (monitorEventLoopDelay) each time /metrics is read, so reading before and after a run gives
 * the run's own delays. Null when /metrics does not answer in time.
 */
export async function loopDelay(base: string, timeoutMs = 10_000): Promise<LoopDelay | null> {
  const answer = await hit(`${base}/metrics`, { timeoutMs });
  if (answer.status !== 200) return null;
  const text = answer.body.toString('utf8');
  const read = (name: string) => {
    const m = new RegExp(`^nodejs_eventloop_lag_${name}_seconds\\s+(\\S+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1000 : NaN;
  };
  return { p50: read('p50'), p99: read('p99'), max: read('max') };
}

/**
 * An administrator signed in through the sign-in form, with its cookies kept between requests as
 * a browser keeps them. Saving the site's settings appends an event naming the `site` cache key,
 * which every cached page, feed and API answer was built from: the next request for any of them is a miss.
 */
export class AdminSession {
  readonly #cookies = new Map<string, string>();
  #token = '';
  readonly base: string;
  readonly timeoutMs: number;

  constructor(base: string, timeoutMs: number) {
    this.base = base;
    this.timeoutMs = timeoutMs;
  }

  async #send(method: string, path: string, form?: Record<string, string>): Promise<Hit> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const answer = await hit(this.base + path, {
      method,
      timeoutMs: this.timeoutMs,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    for (const line of answer.setCookie) {
      const pair = line.split(';', 1)[0] ?? '';
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const value = pair.slice(at + 1);
      if (value === '' || /;\s*max-age=0/i.test(line)) this.#cookies.delete(pair.slice(0, at));
      else this.#cookies.set(pair.slice(0, at), value);
    }
    if (answer.timedOut || answer.failed)
      throw new Error(`${method} ${path}: no answer within ${this.timeoutMs} ms`);
    return answer;
  }

  #csrf(page: Hit): string {
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body.toString('utf8'))?.[1];
    if (!token) throw new Error('no CSRF token on the page');
    return token;
  }

  async signIn(username: string, password: string): Promise<void> {
    const form = await this.#send('GET', '/enter');
    const entered = await this.#send('POST', '/enter', {
      login: username,
      password,
      _csrf: this.#csrf(form),
    });
    if (entered.status !== 303) throw new Error(`signing in answered ${entered.status}`);
    const admin = await this.#send('GET', '/admin');
    if (admin.status !== 200) throw new Error(`/admin answered ${admin.status}`);
    this.#token = this.#csrf(admin);
  }

  /** Saves the site's name and description (unchanged); returns the time the save took. */
  async saveSite(siteName: string): Promise<number> {
    const saved = await this.#send('POST', '/admin/site', {
      site_name: siteName,
      site_description: '',
      _csrf: this.#token,
    });
    if (saved.status !== 303)
      throw new Error(`saving the site's settings answered ${saved.status}`);
    return saved.ms;
  }
}
