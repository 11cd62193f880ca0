/**
 * Stopping to listen while the event loop is busy: connections the kernel completed (and the
 * clients sent requests on) before the listening socket closes are accepted and answered with
 * the drain's 503, never reset; connections after it are refused.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { Drain, stopListening } from '../../src/http/drain.ts';

const CLIENTS = 8;

/**
 * A client in its own process: on "go", opens `count` connections to `port` and sends a POST
 * on each at once, creates the file `sent` once every request is written, then prints each
 * outcome (the status line, or the error code).
 */
const CLIENT = `
const net = require('node:net');
const fs = require('node:fs');
const [port, count] = process.argv.slice(1, 3).map(Number);
const sent = process.argv[3];
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  const outcomes = [];
  let written = 0;
  for (let i = 0; i < count; i++) {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('connect', () =>
      socket.write('POST /x HTTP/1.1\\r\\nhost: t\\r\\ncontent-length: 2\\r\\n\\r\\nhi', () => {
        if (++written === count && sent) fs.writeFileSync(sent, '');
      }));
    socket.on('data', (d) => (text += d));
    const done = (outcome) => {
      outcomes.push(outcome);
      if (outcomes.length === count)
        process.stdout.write(JSON.stringify(outcomes) + '\\n', () => process.exit(0));
    };
    socket.on('end', () => done(text.split('\\r\\n')[0]));
    socket.on('error', (e) => done(e.code));
    socket.setTimeout(10000, () => socket.destroy(new Error('timeout')));
  }
});
`;

/** Blocks the event loop until `path` exists (at most 10 s), as a busy node would. */
function busyUntil(path: string): void {
  const end = performance.now() + 10_000;
  while (!existsSync(path) && performance.now() < end);
}

test('connections queued while the loop was busy get a 503, not a reset', async () => {
  const drain = new Drain(pino({ level: 'silent' }), {});
  const server = createServer(drain.wrap((_req, res) => res.end('served')));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const sent = join(mkdtempSync(join(tmpdir(), 'quire-listen-')), 'sent');
  const client = spawn(process.execPath, ['-e', CLIENT, String(port), String(CLIENTS), sent]);
  // Listened for from the start: the client may have its answers and exit before stopListening
  // returns.
  const exited = once(client, 'exit');
  let out = '';
  client.stdout.setEncoding('utf8');
  client.stdout.on('data', (d: string) => (out += d));
  while (!out.includes('ready\n')) await once(client.stdout, 'data');
  client.stdin.write('go\n');
  // The signal arrives while this node is busy: the client's connections are completed by the
  // kernel and wait to be accepted, their requests already sent.
  busyUntil(sent);
  drain.start();
  await stopListening(server);

  await exited;
  const outcomes = JSON.parse(out.split('\n')[1] ?? '[]') as string[];
  assert.equal(outcomes.length, CLIENTS, 'every connection has an outcome');
  assert.deepEqual(
    outcomes,
    Array.from({ length: CLIENTS }, () => 'HTTP/1.1 503 Service Unavailable'),
    'each queued connection was answered 503, none reset',
  );

  const refused = await new Promise<string>((resolve) => {
    const late = spawn(process.execPath, ['-e', CLIENT, String(port), '1']);
    let text = '';
    late.stdout.setEncoding('utf8');
    late.stdout.on('data', (d: string) => {
      text += d;
      if (text === 'ready\n') late.stdin.write('go\n');
    });
    late.on('exit', () => resolve(text));
  });
  assert.match(refused, /ECONNREFUSED/, 'after it, connections are refused');
  server.close();
  rmSync(dirname(sent), { recursive: true, force: true });
});
