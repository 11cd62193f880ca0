/**
 * The served OpenAPI document passes Redocly's `recommended` rules with no error, and every
 * operation has a name and a tag, so generated clients get real method and type names.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const REDOCLY = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ pointer: string }>;
}

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: LintProblem[];
}

let server: TestServer;
let dir: string;
let doc: any;

before(async () => {
  server = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'quire-openapi-'));
  const res = await server.client().get('/api/openapi.json');
  assert.equal(res.status, 200);
  doc = res.json();
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** `redocly lint` on the document: its JSON report (it exits 1 when there are errors). */
function lint(file: string): Promise<LintReport> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [REDOCLY, 'lint', '--extends=recommended', '--format=json', file],
      {
        cwd: dir,
        env: {
          ...process.env,
          REDOCLY_TELEMETRY: 'off',
          REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as LintReport);
        } catch {
          reject(error ?? new Error(`redocly printed no report: ${stderr}`));
        }
      },
    );
  });
}

const operations = () =>
  Object.entries<Record<string, any>>(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
  );

test('redocly lint (recommended rules) finds no error in /api/openapi.json', async (t) => {
  const file = join(dir, 'openapi.json');
  await writeFile(file, JSON.stringify(doc, null, 2));
  const report = await lint(file);
  const { errors, warnings } = report.totals;
  const listed = (severity: LintProblem['severity']) =>
    report.problems
      .filter((p) => p.severity === severity)
      .map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`)
      .join('\n');
  t.diagnostic(`${errors} errors, ${warnings} warnings`);
  if (warnings > 0) t.diagnostic(listed('warn'));
  assert.equal(errors, 0, `${errors} errors (and ${warnings} warnings):\n${listed('error')}`);
});

test('every operation has a unique camelCase operationId and a tag', () => {
  const seen = new Map<string, string>();
  for (const { where, op } of operations()) {
    assert.match(op.operationId ?? '', /^[a-z][a-zA-Z0-9]*$/, `${where}: operationId`);
    assert.equal(seen.get(op.operationId), undefined, `${where}: ${op.operationId} is unique`);
    seen.set(op.operationId, where);
    assert.ok(Array.isArray(op.tags) && op.tags.length > 0, `${where} has a tag`);
  }
  assert.ok(seen.size >= 30, `${seen.size} operations`);
});

test('component schemas are named for what they are, not numbered', () => {
  const names = Object.keys(doc.components?.schemas ?? {});
  for (const name of ['Problem', 'Article', 'ArticleIndex', 'User', 'MyUser', 'WebhookEndpoint'])
    assert.ok(names.includes(name), `${name} is a component`);
  for (const name of names) assert.doesNotMatch(name, /^def-\d+$/, name);
});
