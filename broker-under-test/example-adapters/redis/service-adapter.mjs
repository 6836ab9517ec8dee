#!/usr/bin/env node
// Example service adapter executable: a single-node cache (redis-like). The service logic is in handlers.mjs; the
// SDK command-line contract in ../cli-contract.mjs. Imported rather than run, it only exports
// `invoke`: the same adapter called in the importer's process (how the scenario harness runs it
// without starting node for every call).
import { invokeServiceAdapter, isMainModule, runServiceAdapter } from '../cli-contract.mjs';
import { handlers } from './handlers.mjs';

/** One invocation without a process: `argv` as `process.argv`, `stdin` as text; resolves to `{ stdout, stderr, exitCode }`. */
export const invoke = (argv, stdin) => invokeServiceAdapter(handlers, argv, stdin);

if (isMainModule(import.meta.url)) await runServiceAdapter(handlers);
