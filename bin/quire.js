#!/usr/bin/env node
// The `quire` command. Quire needs Node 24.7 or newer (built-in SQLite, argon2, TypeScript).
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 24 || (major === 24 && minor < 7)) {
  console.error(
    `quire: Node.js 24.7 or newer is needed, this is ${process.version}; run "npx quire" in the project folder`,
  );
  process.exit(1);
}
// Node keeps the code it compiled (TypeScript with its types stripped, and V8's bytecode) on
// disk, so later starts skip that work; enabled before anything else loads, so all of it counts.
const cache = module.enableCompileCache();
// Threads (SQLite's readers) read the same cache: they are told where it is by the environment.
if (cache.directory) process.env.NODE_COMPILE_CACHE ??= cache.directory;
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv.slice(2));
