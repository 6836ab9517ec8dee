/**
 * Reads a broker config file.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { BrokerConfig } from './types.js';
import { ConfigError, parseConfig, type ValidateOptions } from './validate.js';

/** Reads and validates an ODB config file; a missing file is Go's `open <path>: no such file or directory`. */
export function loadConfigFile(path: string, opts: ValidateOptions = {}): BrokerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`open ${path}: no such file or directory`);
  }
  return parseConfig(text, opts);
}
