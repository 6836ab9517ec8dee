import { z } from 'zod';
import { OUTCOMES, type RunResult } from '../model.js';

/** The JSON report's format version; readers refuse others. */
export const REPORT_FORMAT = 'fakefoundry-report/1';

/** The run as JSON: `{ format, run }`, every field of the result model, journal entries included. */
export function toJson(run: RunResult, opts: { pretty?: boolean } = {}): string {
  return JSON.stringify({ format: REPORT_FORMAT, run }, null, opts.pretty === false ? undefined : 2) + '\n';
}

const entry = z.looseObject({
  seq: z.number(),
  service: z.string(),
  method: z.string(),
  path: z.string(),
  status: z.number(),
  direction: z.enum(['inbound', 'outbound']),
  tags: z.array(z.string()),
  wallTime: z.number(),
  wallDurationMs: z.number(),
});
const step = z.looseObject({ kind: z.string(), from: z.string(), to: z.string(), label: z.string(), wallTime: z.number(), wallDurationMs: z.number() });
const caseSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  suite: z.string(),
  outcome: z.enum(OUTCOMES as [string, ...string[]]),
  duration: z.number(),
  tags: z.array(z.string()),
  message: z.string().optional(),
  details: z.string().optional(),
  spec: z.looseObject({ section: z.string(), level: z.string() }).optional(),
  reproduction: z.string().optional(),
  journal: z.array(entry).optional(),
  steps: z.array(step).optional(),
  meta: z.record(z.string(), z.string()).optional(),
});
const fileSchema = z.object({
  format: z.literal(REPORT_FORMAT),
  run: z.looseObject({
    tool: z.string(),
    title: z.string(),
    started: z.string(),
    duration: z.number(),
    meta: z.record(z.string(), z.string()).optional(),
    cases: z.array(caseSchema),
  }),
});

/** Reads a JSON report back (to merge shards, compare runs, or feed the dashboard). */
export function parseJsonReport(text: string): RunResult {
  const parsed = fileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`not a ${REPORT_FORMAT} report: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.')}`);
  return parsed.data.run as unknown as RunResult;
}
