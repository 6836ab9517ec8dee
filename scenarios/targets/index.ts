import path from 'node:path';
import { commandTarget } from './command.js';
import { embeddedTarget } from './embedded.js';
import type { Target, TargetSpec } from './types.js';
import { urlTarget } from './url.js';

export * from './types.js';
export { commandTarget, commandLine, freePort } from './command.js';
export { embeddedTarget, adapterStep, type CreateBroker, type EmbeddedBroker, type EmbeddedDeps, type AdapterCallReport } from './embedded.js';
export { urlTarget } from './url.js';

/** The target a spec describes. */
export function targetFor(spec: TargetSpec): Target {
  switch (spec.kind) {
    case 'embedded':
      return embeddedTarget({ name: spec.name, module: spec.module, adapters: spec.adapters });
    case 'command':
      return commandTarget(spec);
    case 'url':
      return urlTarget(spec);
  }
}

/**
 * A target from the command line: `embedded`, `embedded-process` (the service adapter as a
 * process per call, as ODB runs it), `embedded:<module exporting createBroker>`,
 * `command:<command line with {config}>`, or
 * `url:<https://user:pass@host:port>` (the url form takes its fakes from `--fakes-state` and
 * `--fakes-ports`, see `fakefoundry run --help`).
 */
export function parseTarget(text: string, extra: { fakesState?: string; fakesPorts?: string } = {}): TargetSpec {
  if (text === 'embedded') return { kind: 'embedded' };
  if (text === 'embedded-process') return { kind: 'embedded', adapters: 'process' };
  if (text.startsWith('embedded:')) return { kind: 'embedded', module: path.resolve(text.slice('embedded:'.length)) };
  if (text.startsWith('command:')) return { kind: 'command', command: text.slice('command:'.length) };
  if (text.startsWith('url:')) {
    const u = new URL(text.slice('url:'.length));
    if (!extra.fakesState) throw new Error('a url target needs --fakes-state (the state file of the `fakefoundry up` the broker was configured against)');
    const ports = Object.fromEntries(
      (extra.fakesPorts ?? '')
        .split(',')
        .filter(Boolean)
        .map((p) => p.split('='))
        .map(([k, v]) => [k, Number(v)]),
    );
    const username = decodeURIComponent(u.username);
    const password = decodeURIComponent(u.password);
    u.username = '';
    u.password = '';
    return { kind: 'url', url: u.toString().replace(/\/$/, ''), username, password, fakes: { state: extra.fakesState, ports } };
  }
  throw new Error(`unknown target '${text}' (embedded, embedded-process, embedded:<module>, command:<command line>, url:<url>)`);
}
