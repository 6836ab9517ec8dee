import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { cellName, type FaultProfile, type ScenarioEnvironment, type ServiceProfile } from '../harness/environment.js';
import type { AdapterInput, BoshAuth } from '../harness/odb-config.js';
import { parseTarget } from '../targets/index.js';
import { targetName, type TargetSpec } from '../targets/types.js';
import { BUILTIN_FAULT_PROFILES } from './faults.js';

const faultRule = z.looseObject({ match: z.looseObject({}).optional(), action: z.looseObject({ type: z.string() }) });

const targetSchema = z.union([
  z.string(),
  z.object({ name: z.string().optional(), kind: z.literal('embedded'), adapters: z.enum(['in-process', 'process']).optional() }),
  z.object({
    name: z.string().optional(),
    kind: z.literal('command').optional(),
    command: z.string(),
    errands: z.record(z.string(), z.string()).optional(),
    capabilities: z.array(z.string()).optional(),
    cwd: z.string().optional(),
    start_timeout_ms: z.number().optional(),
  }),
  z.object({
    name: z.string().optional(),
    kind: z.literal('url').optional(),
    url: z.string(),
    username: z.string(),
    password: z.string(),
    capabilities: z.array(z.string()).optional(),
    fakes: z.object({ state: z.string(), ports: z.record(z.string(), z.number()), host: z.string().optional() }),
  }),
]);

/** The matrix file (YAML): every list is a dimension; cells are their product, minus `exclude`. */
export const matrixSchema = z.object({
  /** Vitest tags expression selecting scenarios, e.g. `area:lifecycle || area:quotas`. */
  tags: z.string().optional(),
  /** Scenario file filters (as on the command line). */
  scenarios: z.array(z.string()).optional(),
  targets: z.array(targetSchema).min(1).default(['embedded']),
  bosh_auth: z.array(z.enum(['uaa', 'basic'])).min(1).default(['uaa']),
  adapter_input: z.array(z.enum(['stdin', 'legacy'])).min(1).default(['stdin']),
  fault_profiles: z.array(z.union([z.string(), z.object({ name: z.string(), rules: z.array(faultRule) })])).min(1).default(['no-faults']),
  /** Cells to leave out: any cell matching every given field (target by name). */
  exclude: z.array(z.object({ target: z.string().optional(), bosh_auth: z.string().optional(), adapter_input: z.string().optional(), fault_profile: z.string().optional() })).default([]),
  /** The service the broker offers (an ODB config without bosh: and cf:, and a foundation config). */
  service: z.object({ name: z.string(), odb_config: z.string(), foundation: z.string().optional(), root: z.string().optional(), adapter_module: z.string().optional() }).optional(),
  seed: z.string().default('scenarios'),
});

export type MatrixInput = z.input<typeof matrixSchema>;
export type Matrix = z.output<typeof matrixSchema>;

function targetOf(t: Matrix['targets'][number], base: string): TargetSpec {
  if (typeof t === 'string') return parseTarget(t);
  if ('command' in t) return { kind: 'command', name: t.name, command: t.command, errands: t.errands, capabilities: t.capabilities, cwd: t.cwd ? path.resolve(base, t.cwd) : undefined, startTimeoutMs: t.start_timeout_ms };
  if ('url' in t) return { kind: 'url', name: t.name, url: t.url, username: t.username, password: t.password, capabilities: t.capabilities, fakes: { state: path.resolve(base, t.fakes.state), ports: t.fakes.ports, host: t.fakes.host } };
  return { kind: 'embedded', name: t.name, adapters: t.adapters };
}

function faultProfileOf(p: Matrix['fault_profiles'][number]): FaultProfile {
  if (typeof p !== 'string') return p as FaultProfile;
  const builtin = BUILTIN_FAULT_PROFILES[p === 'none' ? 'no-faults' : p];
  if (!builtin) throw new Error(`unknown fault profile '${p}' (built in: ${Object.keys(BUILTIN_FAULT_PROFILES).join(', ')}; or give {name, rules})`);
  return builtin;
}

/**
 * The cells of a matrix, in a stable order (targets, then BOSH auth, adapter input, fault
 * profile). A target the harness does not configure (`url`) keeps its own BOSH auth and adapter
 * input, so it gets one cell per fault profile.
 */
export function expandMatrix(input: MatrixInput, opts: { base?: string } = {}): ScenarioEnvironment[] {
  const m = matrixSchema.parse(input);
  const base = opts.base ?? process.cwd();
  const service: ServiceProfile | undefined = m.service && {
    name: m.service.name,
    odbConfig: path.resolve(base, m.service.odb_config),
    foundation: m.service.foundation && path.resolve(base, m.service.foundation),
    root: path.resolve(base, m.service.root ?? '.'),
    ...(m.service.adapter_module ? { adapterModule: path.resolve(base, m.service.adapter_module) } : {}),
  };
  const cells: ScenarioEnvironment[] = [];
  const seen = new Set<string>();
  for (const t of m.targets) {
    const target = targetOf(t, base);
    const configurable = target.kind !== 'url';
    for (const boshAuth of configurable ? m.bosh_auth : m.bosh_auth.slice(0, 1)) {
      for (const adapterInput of configurable ? m.adapter_input : m.adapter_input.slice(0, 1)) {
        for (const fp of m.fault_profiles) {
          const faults = faultProfileOf(fp);
          const name = targetName(target);
          const excluded = m.exclude.some(
            (x) =>
              (x.target === undefined || x.target === name) &&
              (x.bosh_auth === undefined || x.bosh_auth === boshAuth) &&
              (x.adapter_input === undefined || x.adapter_input === adapterInput) &&
              (x.fault_profile === undefined || x.fault_profile === faults.name),
          );
          if (excluded) continue;
          const cell = cellName({ target, boshAuth: boshAuth as BoshAuth, adapterInput: adapterInput as AdapterInput, faults });
          if (seen.has(cell)) throw new Error(`two matrix cells are both named '${cell}' (give targets distinct names)`);
          seen.add(cell);
          cells.push({ cell, target, boshAuth: boshAuth as BoshAuth, adapterInput: adapterInput as AdapterInput, faults, service, seed: m.seed });
        }
      }
    }
  }
  return cells;
}

/** Reads and expands a matrix file; paths in it are relative to the file. */
export function loadMatrix(file: string): { matrix: Matrix; cells: ScenarioEnvironment[] } {
  const raw = parse(readFileSync(file, 'utf8')) as MatrixInput;
  const matrix = matrixSchema.parse(raw ?? {});
  return { matrix, cells: expandMatrix(raw ?? {}, { base: path.dirname(path.resolve(file)) }) };
}
