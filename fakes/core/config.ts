import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The foundation config file (YAML or JSON): one seed, one clock, and a section per fake. */
export const foundationConfigSchema = z
  .object({
    seed: z.union([z.string(), z.number()]).optional(),
    clock: z
      .object({
        mode: z.enum(['virtual', 'instant', 'real']).optional(),
        /** ISO-8601 or epoch ms. */
        start: z.union([z.string(), z.number()]).optional(),
      })
      .default({}),
    network: z
      .object({
        host: z.string().default('127.0.0.1'),
        https: z.boolean().default(true),
        /** Extra names for the server certificate's SANs. */
        hostnames: z.array(z.string()).default([]),
        ports: z.record(z.string(), z.number().int().min(0).max(65535)).default({}),
      })
      .default({ host: '127.0.0.1', https: true, hostnames: [], ports: {} }),
    journal: z.object({ capacity: z.number().int().positive().optional() }).default({}),
  })
  .catchall(z.unknown());

export type FoundationConfig = z.infer<typeof foundationConfigSchema>;
export type FoundationConfigInput = z.input<typeof foundationConfigSchema>;

export function parseConfigText(text: string): FoundationConfig {
  const raw = parseYaml(text) ?? {};
  return foundationConfigSchema.parse(raw);
}

export function loadConfigFile(path: string): FoundationConfig {
  return parseConfigText(readFileSync(path, 'utf8'));
}

export function parseClockStart(start: string | number | undefined): number | undefined {
  if (start === undefined) return undefined;
  if (typeof start === 'number') return start;
  const t = Date.parse(start);
  if (Number.isNaN(t)) throw new Error(`clock.start is not a date: ${start}`);
  return t;
}
