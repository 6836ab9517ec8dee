/** The conformance config file (YAML or JSON): which plans to exercise, with what, and what to skip. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const OSB_VERSIONS = ['2.13', '2.14', '2.15', '2.16', '2.17'] as const;
export type OsbVersion = (typeof OSB_VERSIONS)[number];

const params = z.record(z.string(), z.unknown());

const planSchema = z.object({
  /** The service offering, by name or id. */
  service: z.string(),
  /** The plan, by name or id; leave it out for every plan of the offering. */
  plan: z.string().optional(),
  provisionParameters: params.optional(),
  updateParameters: params.optional(),
  bindParameters: params.optional(),
  /** Whether this plan's bindings carry `credentials` (default: yes, unless the offering `requires` something). */
  credentials: z.boolean().optional(),
});

const skipSchema = z
  .object({
    /** A check id (`PROV-10`), a prefix with `*` (`BIND-*`), or a feature (see FEATURES). */
    check: z.string().optional(),
    feature: z.string().optional(),
    reason: z.string().min(1),
  })
  .refine((s) => s.check !== undefined || s.feature !== undefined, { message: 'a skip names a check or a feature' });

const cfProfile = z.object({
  platform: z.literal('cloudfoundry'),
  organizationGuid: z.string().optional(),
  organizationName: z.string().default('conformance-org'),
  spaceGuid: z.string().optional(),
  spaceName: z.string().default('conformance-space'),
  userId: z.string().optional(),
  /** Send X-Broker-API-Originating-Identity on user actions (default true). */
  originatingIdentity: z.boolean().default(true),
});

const k8sProfile = z.object({
  platform: z.literal('kubernetes'),
  namespace: z.string().default('conformance'),
  clusterId: z.string().optional(),
  username: z.string().default('conformance'),
  originatingIdentity: z.boolean().default(true),
});

export const configSchema = z.object({
  osbVersion: z.enum(OSB_VERSIONS).optional(),
  /** The plans to exercise; by default every plan of the catalog. */
  plans: z.array(planSchema).optional(),
  skip: z.array(skipSchema).default([]),
  polling: z
    .object({
      intervalSeconds: z.number().positive().default(2),
      maxDurationSeconds: z.number().positive().default(900),
    })
    .default({ intervalSeconds: 2, maxDurationSeconds: 900 }),
  /** How long to wait for one answer, as a platform does (Cloud Controller: 60 s). */
  requestTimeoutSeconds: z.number().positive().default(60),
  profile: z.discriminatedUnion('platform', [cfProfile, k8sProfile]).default({
    platform: 'cloudfoundry',
    organizationName: 'conformance-org',
    spaceName: 'conformance-space',
    originatingIdentity: true,
  }),
  /** Seed for the ids the suite sends (default: random, so runs never reuse an instance id). */
  seed: z.string().optional(),
});

export type ConformanceConfig = z.infer<typeof configSchema>;
export type ConformanceConfigInput = z.input<typeof configSchema>;
export type PlanConfig = z.infer<typeof planSchema>;

/** Feature names a `skip` entry may use, and the checks each covers. */
export const FEATURES: Record<string, string[]> = {
  auth: ['AUTH-*'],
  headers: ['HDR-*'],
  catalog: ['CAT-*'],
  provision: ['PROV-*'],
  update: ['UPD-*'],
  deprovision: ['DEP-*'],
  bind: ['BIND-*', 'BLO-*', 'FB-*', 'UNB-*'],
  fetch: ['FI-*', 'FB-*'],
  concurrency: ['DEP-06', 'DEP-07', 'UNB-06', 'BIND-07', 'FI-04', 'BLK-01'],
  'maintenance-info': ['PROV-08', 'UPD-05', 'MI-01', 'CAT-08'],
  rotation: ['BIND-13'],
  'parameter-validation': ['PROV-10'],
  'invalid-requests': ['PROV-07', 'UPD-06', 'DEP-04', 'BIND-05', 'UNB-04', 'LO-04', 'CT-02'],
};

export function parseConfig(input: unknown): ConformanceConfig {
  const parsed = configSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid conformance config:\n${lines.join('\n')}`);
  }
  for (const s of parsed.data.skip) {
    if (s.feature !== undefined && !(s.feature in FEATURES)) {
      throw new Error(`invalid conformance config:\n  skip: unknown feature "${s.feature}" (known: ${Object.keys(FEATURES).join(', ')})`);
    }
  }
  return parsed.data;
}

export function loadConfigFile(file: string): ConformanceConfig {
  const text = readFileSync(file, 'utf8');
  return parseConfig(file.endsWith('.json') ? JSON.parse(text) : parseYaml(text));
}

function matches(pattern: string, id: string): boolean {
  return pattern.endsWith('*') ? id.startsWith(pattern.slice(0, -1)) : pattern === id;
}

/** Why the config skips a check, or undefined. */
export function skipReason(config: ConformanceConfig, ids: string[]): string | undefined {
  for (const s of config.skip) {
    const patterns = s.check !== undefined ? [s.check] : (FEATURES[s.feature ?? ''] ?? []);
    if (ids.some((id) => patterns.some((p) => matches(p, id)))) return s.reason;
  }
  return undefined;
}

/** The config narrowed to `service/plan` (or `service`) selections, keeping what it says about them. */
export function selectPlans(config: ConformanceConfig | undefined, selections: string[]): ConformanceConfig {
  const base = config ?? parseConfig({});
  const plans = selections.map((sel) => {
    const slash = sel.indexOf('/');
    const service = slash < 0 ? sel : sel.slice(0, slash);
    const plan = slash < 0 ? undefined : sel.slice(slash + 1);
    const known = base.plans?.find((p) => p.service === service && p.plan === plan);
    return known ?? { service, ...(plan !== undefined ? { plan } : {}) };
  });
  return { ...base, plans };
}
