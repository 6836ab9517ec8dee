import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClockMode } from '../fakes/core/clock.js';
import { loadConfigFile, type FoundationConfig } from '../fakes/core/config.js';
import type { KeySource } from '../fakes/core/keys.js';
import { Foundation } from '../fakes/foundation.js';
import { envLines, humanSummary, type ConnectionInfo } from './connection-format.js';
import { connectionInfo } from './connection-info.js';
import { cliCommand, dirFlag } from './invocation.js';
import { readStateFile, writeStateFile } from './state-file.js';

export interface UpOptions {
  seed?: string;
  config?: string;
  state?: string;
  dir: string;
  json?: boolean;
  env?: boolean;
  http?: boolean;
  host?: string;
  clock?: ClockMode;
}

export interface UpHooks {
  keys?: KeySource;
  /** Called with the connection info once listening, instead of printing it (the detached child). */
  onReady?: (info: ConnectionInfo) => void;
  /** Called once ready and announced; `stopping` aborts when the instance starts to stop. */
  afterReady?: (stopping: AbortSignal) => void;
}

/** Starts every fake on the network and keeps them up until SIGINT/SIGTERM. */
export async function upForeground(opts: UpOptions, hooks: UpHooks = {}): Promise<void> {
  const config: FoundationConfig | undefined = opts.config ? loadConfigFile(opts.config) : undefined;
  const state = opts.state ? readStateFile(opts.state) : undefined;
  const foundation = await Foundation.create({
    seed: opts.seed,
    config,
    state,
    // Interactive use: tasks and polling follow the wall clock unless told otherwise.
    clockMode: opts.clock ?? config?.clock.mode ?? 'real',
    id: 'fakefoundry',
    keys: hooks.keys,
  });
  const { caPem } = await foundation.listen({ https: !opts.http, host: opts.host });
  mkdirSync(opts.dir, { recursive: true });
  let caPath: string | undefined;
  if (caPem) {
    caPath = path.resolve(opts.dir, 'ca.pem');
    writeFileSync(caPath, caPem);
  }
  const save = () => {
    if (opts.state) writeStateFile(opts.state, foundation.snapshot());
  };
  save();
  const info: ConnectionInfo = connectionInfo(foundation, { caPath, caPem, stateFile: opts.state ? path.resolve(opts.state) : undefined });
  const infoFile = path.resolve(opts.dir, 'up.json');
  const pidFile = path.resolve(opts.dir, 'up.pid');
  writeFileSync(infoFile, JSON.stringify(info, null, 2), { mode: 0o600 });
  writeFileSync(pidFile, String(process.pid));

  if (hooks.onReady) hooks.onReady(info);
  else if (opts.json) console.log(JSON.stringify(info, null, 2));
  else if (opts.env) console.log(envLines(info).join('\n'));
  else console.log(humanSummary(info, { cli: cliCommand(), dirFlag: dirFlag(opts.dir) }));
  const stopping = new AbortController();
  hooks.afterReady?.(stopping.signal);

  // Save now and then too, so a hard kill loses little; only when something was served.
  let savedAt = foundation.journal.lastSeq;
  const autosave = setInterval(() => {
    if (!opts.state || foundation.journal.lastSeq === savedAt) return;
    savedAt = foundation.journal.lastSeq;
    try {
      save();
    } catch (err) {
      console.error(`could not save state: ${(err as Error).message}`);
    }
  }, 5_000);
  autosave.unref();

  await new Promise<void>((resolve) => {
    const stop = async () => {
      if (stopping.signal.aborted) return;
      stopping.abort();
      clearInterval(autosave);
      try {
        save();
      } catch (err) {
        console.error(`could not save state: ${(err as Error).message}`);
      }
      await foundation.close();
      rmSync(pidFile, { force: true });
      rmSync(infoFile, { force: true });
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
