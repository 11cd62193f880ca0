#!/usr/bin/env node
// The `quire` command. Quire needs Node 24.7 or newer (built-in SQLite, argon2, TypeScript).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 24 || (major === 24 && minor < 7)) {
  console.error(
    `quire: Node.js 24.7 or newer is needed, this is ${process.version}; run "npx quire" in the project folder`,
  );
  process.exit(1);
}
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv.slice(2));
