/**
 * A production install (`npm ci --omit=dev`) has only "dependencies": every package that src/ or
 * bin/ loads at run time must be one, or the server fails at start with ERR_MODULE_NOT_FOUND.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { undeclaredImports } from '../helpers/runtime-imports.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(ts|js|mjs)$/.test(name))
    .map((name) => join(ROOT, folder, name));
}

test('every package src/ and bin/ import at run time is in "dependencies"', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('bin')];
  assert.ok(files.length > 100, `src/ and bin/ were read (${files.length} files)`);
  const undeclared = files.flatMap((file) =>
    undeclaredImports(relative(ROOT, file), readFileSync(file, 'utf8'), pkg.dependencies),
  );
  assert.deepEqual(undeclared, [], 'move these packages to "dependencies" (or use node:)');
});

test('the check sees static, re-exported and dynamic imports, and lets `import type` pass', () => {
  const dependencies = { fastify: '^5' };
  const code = [
    "import type { Token } from 'markdown-it';",
    "import { type Builder } from 'fast-xml-parser';",
    "import Fastify from 'fastify';",
    "import { join } from 'node:path';",
    "import { helper } from './helper.ts';",
    "export { thing } from '@scope/pkg/sub';",
    "export type { Other } from 'other-types';",
    "const lazy = await import('rss-parser');",
    'const computed = await import(name);',
    "import fs from 'fs';",
    "import { nope } from 'node:nope';",
  ].join('\n');
  assert.deepEqual(undeclaredImports('x.ts', code, dependencies), [
    'x.ts:2 imports "fast-xml-parser"',
    'x.ts:6 imports "@scope/pkg/sub"',
    'x.ts:8 imports "rss-parser"',
    'x.ts:9 imports "<computed>"',
    'x.ts:10 imports "fs"',
    'x.ts:11 imports "node:nope"',
  ]);
});

test('packages only the tests, benchmarks and tooling use stay out of "dependencies"', () => {
  for (const devOnly of ['node', 'typescript', 'eslint', 'playwright-core', 'rss-parser'])
    assert.ok(!Object.hasOwn(pkg.dependencies, devOnly), `${devOnly} is not a runtime package`);
  assert.ok(Object.hasOwn(pkg.dependencies, 'fast-xml-parser'), 'the feeds need it at run time');
});
