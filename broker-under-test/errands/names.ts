/** The ODB errands, by the names of their binaries (light: the CLI and scenario targets list them). */
export const ERRAND_NAMES = [
  'register-broker',
  'deregister-broker',
  'upgrade-all-service-instances',
  'recreate-all-service-instances',
  'delete-all-service-instances',
  'orphan-deployments',
] as const;
export type ErrandName = (typeof ERRAND_NAMES)[number];
