#!/usr/bin/env node
// Example service adapter executable: a single-node cache (redis-like). The service logic is in handlers.mjs; the
// SDK command-line contract in ../cli-contract.mjs.
import { runServiceAdapter } from '../cli-contract.mjs';
import { handlers } from './handlers.mjs';

await runServiceAdapter(handlers);
