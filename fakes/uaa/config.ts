import { z } from 'zod';

/** The `uaa:` section of a foundation config: clients and users to seed, on top of (or instead of) the defaults. */
export const uaaClientConfigSchema = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().optional(),
  name: z.string().optional(),
  scope: z.array(z.string()).optional(),
  authorized_grant_types: z.array(z.string()).optional(),
  authorities: z.array(z.string()).optional(),
  resource_ids: z.array(z.string()).optional(),
  redirect_uri: z.array(z.string()).optional(),
  autoapprove: z.union([z.array(z.string()), z.boolean()]).optional(),
  allowpublic: z.boolean().optional(),
  access_token_validity: z.number().int().positive().optional(),
  refresh_token_validity: z.number().int().positive().optional(),
  /** Users must belong to all of these groups to get a token through this client. */
  required_user_groups: z.array(z.string()).optional(),
});

export const uaaUserConfigSchema = z.object({
  userName: z.string().min(1),
  password: z.string().optional(),
  email: z.string().optional(),
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  origin: z.string().optional(),
  /** Group names; membership gives the user these scopes (intersected with the client's). */
  groups: z.array(z.string()).optional(),
  id: z.string().optional(),
});

export const uaaConfigSchema = z.object({
  /** Seed the default clients and users (admin, cf, bosh_admin, bosh_cli, cc_admin, odb; user admin). */
  defaults: z.boolean().default(true),
  clients: z.array(uaaClientConfigSchema).default([]),
  users: z.array(uaaUserConfigSchema).default([]),
  /** Extra groups to create (every scope named in a user's groups is created anyway). */
  groups: z.array(z.string()).default([]),
  /** The issuer base; defaults to the UAA's own URL once mounted. */
  issuer: z.string().optional(),
  /**
   * The first signing key (PKCS#8 and SPKI PEM) instead of a freshly generated one: RSA key
   * generation takes most of a foundation's start-up, so harnesses building one foundation per
   * test generate a key once and hand it to each.
   */
  signing_key: z.object({ private_pem: z.string(), public_pem: z.string() }).optional(),
});

export type UaaConfig = z.infer<typeof uaaConfigSchema>;
export type UaaConfigInput = z.input<typeof uaaConfigSchema>;
export type UaaClientConfig = z.infer<typeof uaaClientConfigSchema>;
export type UaaUserConfig = z.infer<typeof uaaUserConfigSchema>;

/** The names of the default clients, which other fakes and `up --env` refer to. */
export const DEFAULT_CLIENTS = {
  uaaAdmin: 'admin',
  cf: 'cf',
  boshAdmin: 'bosh_admin',
  boshCli: 'bosh_cli',
  ccAdmin: 'cc_admin',
  odb: 'odb',
} as const;

/**
 * What the On-Demand Service Broker and its errands need from their CF UAA client:
 * `cloud_controller.admin` for the CC calls (register-broker, service access, upgrade-all,
 * recreate-all, delete-all, orphan-deployments list every instance), and `clients.admin` for the
 * per-instance UAA clients of a plan's `client_definition` (create, look up on every update and
 * upgrade, change, delete): only an admin caller may give a client authorities or the
 * client_credentials grant, and the lookup needs `clients.read` or `clients.admin`.
 */
export const ODB_CLIENT_AUTHORITIES = ['cloud_controller.admin', 'clients.admin'];

export const DEFAULT_ADMIN_USER = 'admin';

export const UAA_ADMIN_AUTHORITIES = [
  'clients.read',
  'clients.write',
  'clients.secret',
  'clients.admin',
  'uaa.admin',
  'scim.read',
  'scim.write',
  'password.write',
  'uaa.resource',
  'zones.read',
  'zones.write',
  'tokens.revoke',
  'tokens.list',
];

export const CF_CLIENT_SCOPES = [
  'cloud_controller.read',
  'cloud_controller.write',
  'openid',
  'password.write',
  'cloud_controller.admin',
  'cloud_controller.admin_read_only',
  'cloud_controller.global_auditor',
  'scim.read',
  'scim.write',
  'doppler.firehose',
  'uaa.user',
  'routing.router_groups.read',
  'routing.router_groups.write',
  'network.admin',
  'network.write',
  'clients.read',
];

export const BOSH_CLI_SCOPES = ['openid', 'bosh.admin', 'bosh.read', 'bosh.*.admin', 'bosh.*.read', 'bosh.teams.*.admin', 'bosh.teams.*.read'];

export const ADMIN_USER_GROUPS = [
  'cloud_controller.admin',
  'cloud_controller.admin_read_only',
  'cloud_controller.global_auditor',
  'scim.read',
  'scim.write',
  'uaa.admin',
  'clients.read',
  'clients.write',
  'clients.secret',
  'doppler.firehose',
  'routing.router_groups.read',
  'routing.router_groups.write',
  'network.admin',
  'bosh.admin',
];
