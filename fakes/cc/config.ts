import { z } from 'zod';

/** The `cc:` section of a foundation config: what to seed, and CC's own settings. */
const seedOrg = z.object({
  name: z.string().min(1),
  guid: z.string().optional(),
  spaces: z.array(z.object({ name: z.string().min(1), guid: z.string().optional() })).default([]),
});

export const ccConfigSchema = z.object({
  /** Seed an org `system` with a space `dev` (where scenarios can start). */
  defaults: z.boolean().default(true),
  orgs: z.array(seedOrg).default([]),
  /** CC's `broker_client_*` settings, passed to the platform module. */
  broker_client_timeout_seconds: z.number().int().positive().default(60),
  broker_client_default_async_poll_interval_seconds: z.number().int().positive().default(60),
  broker_client_max_async_poll_duration_minutes: z.number().int().positive().default(10080),
  broker_client_max_async_poll_interval_seconds: z.number().int().positive().default(86400),
  broker_client_async_poll_exponential_backoff_rate: z.number().min(1).default(1.0),
  /** `temporary_enable_v2`: CC serves /v2 (ODB needs it). */
  enable_v2: z.boolean().default(true),
});

export type CcConfig = z.infer<typeof ccConfigSchema>;
export type CcConfigInput = z.input<typeof ccConfigSchema>;

export const CC_V2_VERSION = '2.293.0';
export const CC_V3_VERSION = '3.228.0';
export const OSBAPI_VERSION = '2.15';
