#!/usr/bin/env node
// The CLI as published: compiled JavaScript from dist/ (`npm run build`, which `npm install` runs
// as `prepare`), with stack traces mapped back to the TypeScript sources.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('fakefoundry: dist/ is missing: run `npm run build` (or `npm run dev -- <command>` to run the sources)');
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(main.href);
