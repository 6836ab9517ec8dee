import { z } from 'zod';

/** The `bosh:` section of a foundation config. */
export const boshUserSchema = z.object({
  name: z.string().min(1),
  password: z.string().min(1),
  /** The director defaults a config user's scopes to `bosh.admin`. */
  scopes: z.array(z.string()).optional(),
});

/** How long each task type takes (ms of clock time); `default` covers the rest. */
export const taskDurationsSchema = z.record(z.string(), z.number().int().min(0));

export const DEFAULT_TASK_DURATIONS: Record<string, number> = {
  default: 2000,
  update_deployment: 4000,
  delete_deployment: 2000,
  run_errand: 3000,
  vms: 500,
  update_release: 1500,
  update_stemcell: 1500,
  delete_release: 1000,
  delete_stemcell: 1000,
  update_instance: 3000,
  fetch_logs: 1000,
};

export const boshConfigSchema = z.object({
  name: z.string().default('fake-bosh'),
  uuid: z.string().optional(),
  version: z.string().default('280.0.9 (00000000)'),
  cpi: z.string().default('warden_cpi'),
  stemcell_os: z.string().default('ubuntu-jammy'),
  stemcell_version: z.string().default('1.423'),
  auth: z
    .object({
      type: z.enum(['uaa', 'basic']).default('uaa'),
      users: z.array(boshUserSchema).default([{ name: 'admin', password: 'admin' }]),
    })
    .default({ type: 'uaa', users: [{ name: 'admin', password: 'admin' }] }),
  tasks: z
    .object({
      durations: taskDurationsSchema.default({}),
      /** Time a new task waits in `queued` before a worker picks it up. */
      queue_ms: z.number().int().min(0).default(0),
      /** How long a task waits for a deployment lock held by another task (the director's 10 s). */
      lock_timeout_ms: z.number().int().min(0).default(10_000),
    })
    .default({ durations: {}, queue_ms: 0, lock_timeout_ms: 10_000 }),
  /** Cloud config seeded at start (YAML text); null for none; absent for the built-in default. */
  cloud_config: z.string().nullable().optional(),
  /** Seed releases and stemcells by metadata. */
  releases: z
    .array(
      z.object({
        name: z.string(),
        version: z.string(),
        jobs: z.array(z.union([z.string(), z.object({ name: z.string(), errand: z.boolean().optional() }).passthrough()])).default([]),
      }),
    )
    .default([]),
  stemcells: z
    .array(z.object({ name: z.string(), version: z.string(), operating_system: z.string().optional(), api_version: z.number().int().optional() }))
    .default([]),
  /** What an errand (by errand or job name) reports in any deployment when no test scripted it. */
  errands: z
    .array(
      z.object({
        name: z.string().min(1),
        exit_code: z.number().int().min(0).max(255).default(0),
        stdout: z.string().default(''),
        stderr: z.string().default(''),
      }),
    )
    .default([]),
});

export type BoshConfig = z.infer<typeof boshConfigSchema>;
export type BoshConfigInput = z.input<typeof boshConfigSchema>;

/** A cloud config that fits the bosh-lite / warden CPI: 3 AZs, one manual network, common vm and disk types. */
export const DEFAULT_CLOUD_CONFIG = `azs:
- name: z1
  cloud_properties: {}
- name: z2
  cloud_properties: {}
- name: z3
  cloud_properties: {}

vm_types:
- name: default
  cloud_properties: {}
- name: minimal
  cloud_properties: {}
- name: small
  cloud_properties: {}
- name: medium
  cloud_properties: {}
- name: large
  cloud_properties: {}

vm_extensions:
- name: public_ip
  cloud_properties: {}

disk_types:
- name: default
  disk_size: 1024
- name: 1GB
  disk_size: 1024
- name: 5GB
  disk_size: 5120
- name: 10GB
  disk_size: 10240

networks:
- name: default
  type: manual
  subnets:
  - azs: [z1, z2, z3]
    range: 10.244.0.0/20
    dns: [8.8.8.8]
    reserved: [10.244.0.2-10.244.0.7]
    static: [10.244.0.34-10.244.0.100]
    gateway: 10.244.0.1
    cloud_properties: {}

compilation:
  workers: 5
  az: z1
  reuse_compilation_vms: true
  vm_type: default
  network: default
`;
