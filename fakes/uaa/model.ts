import type { Kernel } from '../core/kernel.js';
import type { Random } from '../core/random.js';
import {
  ADMIN_USER_GROUPS,
  BOSH_CLI_SCOPES,
  CF_CLIENT_SCOPES,
  DEFAULT_ADMIN_USER,
  DEFAULT_CLIENTS,
  UAA_ADMIN_AUTHORITIES,
  type UaaClientConfig,
  type UaaConfig,
  type UaaUserConfig,
} from './config.js';
import { generateSigningKey, type SigningKey } from './keys.js';
import { DEFAULT_USER_GROUPS, type UaaClient, type UaaGroup, type UaaState, type UaaUser } from './state.js';

export const ZONE_ID = 'uaa';

/** `bosh.teams.*.admin` style client scopes match user groups with one wildcard segment. */
export function scopeMatches(pattern: string, scope: string): boolean {
  if (!pattern.includes('*')) return pattern === scope;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^.]+')}$`);
  return re.test(scope);
}

/**
 * The UAA's state and the rules over it. Routes call into this; nothing here knows about HTTP.
 */
export class UaaModel {
  state!: UaaState;
  readonly random: Random;
  #initial!: string;

  constructor(
    readonly kernel: Kernel,
    readonly config: UaaConfig,
  ) {
    this.random = kernel.random.fork('uaa');
    this.state = this.#seed();
    this.#initial = JSON.stringify({ ...this.state, keys: [] });
  }

  /** `<issuer base>/oauth/token`, as the `iss` claim and the OIDC document carry it. */
  get issuer(): string {
    return `${this.baseUrl}/oauth/token`;
  }

  get baseUrl(): string {
    return (this.config.issuer ?? this.kernel.urls.uaa ?? '').replace(/\/$/, '');
  }

  get activeKey(): SigningKey {
    const key = this.state.keys.find((k) => k.active);
    if (!key) throw new Error('no active signing key');
    return key;
  }

  /** A new active signing key; older keys stay in `/token_keys` so their tokens still verify. */
  rotateKey(kid?: string): SigningKey {
    const id = kid ?? `key-${++this.state.keyCounter}`;
    if (this.state.keys.some((k) => k.kid === id)) throw new Error(`a key with id '${id}' exists`);
    for (const k of this.state.keys) k.active = false;
    const key = generateSigningKey(id, this.kernel.clock.now());
    this.state.keys.push(key);
    return key;
  }

  removeKey(kid: string): boolean {
    const i = this.state.keys.findIndex((k) => k.kid === kid);
    if (i < 0 || this.state.keys[i].active) return false;
    this.state.keys.splice(i, 1);
    return true;
  }

  reset(): void {
    const keys = this.state.keys;
    this.state = JSON.parse(this.#initial);
    this.state.keys = keys;
  }

  // ---- clients

  client(id: string): UaaClient | undefined {
    return Object.hasOwn(this.state.clients, id) ? this.state.clients[id] : undefined;
  }

  addClient(cfg: UaaClientConfig): UaaClient {
    const now = this.kernel.clock.now();
    const grants = cfg.authorized_grant_types ?? ['client_credentials'];
    const client: UaaClient = {
      client_id: cfg.client_id,
      client_secret: cfg.client_secret ?? (cfg.allowpublic ? '' : this.random.secret(24)),
      name: cfg.name,
      scope: cfg.scope ?? ['uaa.none'],
      authorized_grant_types: grants,
      authorities: cfg.authorities ?? ['uaa.none'],
      resource_ids: cfg.resource_ids ?? ['none'],
      redirect_uri: cfg.redirect_uri ?? [],
      autoapprove: cfg.autoapprove ?? true,
      allowpublic: cfg.allowpublic ?? false,
      access_token_validity: cfg.access_token_validity,
      refresh_token_validity: cfg.refresh_token_validity,
      lastModified: now,
      secretVersion: 0,
    };
    this.state.clients[client.client_id] = client;
    return client;
  }

  // ---- users and groups

  user(id: string): UaaUser | undefined {
    return Object.hasOwn(this.state.users, id) ? this.state.users[id] : undefined;
  }

  userByName(userName: string, origin = 'uaa'): UaaUser | undefined {
    const lower = userName.toLowerCase();
    return Object.values(this.state.users).find((u) => u.userName.toLowerCase() === lower && u.origin === origin);
  }

  addUser(cfg: UaaUserConfig): UaaUser {
    const now = this.kernel.clock.now();
    const givenName = cfg.givenName ?? this.random.faker.person.firstName();
    const familyName = cfg.familyName ?? this.random.faker.person.lastName();
    const user: UaaUser = {
      id: cfg.id ?? this.random.uuid(),
      userName: cfg.userName,
      password: cfg.password ?? this.random.secret(20),
      givenName,
      familyName,
      email: cfg.email ?? `${cfg.userName.replace(/[^a-zA-Z0-9._-]/g, '')}@example.com`,
      origin: cfg.origin ?? 'uaa',
      active: true,
      verified: true,
      zoneId: ZONE_ID,
      created: now,
      lastModified: now,
      version: 0,
      passwordLastModified: now,
      passwordVersion: 0,
    };
    this.state.users[user.id] = user;
    for (const g of [...DEFAULT_USER_GROUPS, ...(cfg.groups ?? [])]) this.addMember(this.ensureGroup(g), user.id, user.origin);
    return user;
  }

  group(id: string): UaaGroup | undefined {
    return Object.hasOwn(this.state.groups, id) ? this.state.groups[id] : undefined;
  }

  groupByName(displayName: string): UaaGroup | undefined {
    return Object.values(this.state.groups).find((g) => g.displayName === displayName);
  }

  ensureGroup(displayName: string, description?: string): UaaGroup {
    const existing = this.groupByName(displayName);
    if (existing) return existing;
    const now = this.kernel.clock.now();
    const group: UaaGroup = {
      id: this.random.uuid(),
      displayName,
      description,
      members: [],
      zoneId: ZONE_ID,
      created: now,
      lastModified: now,
      version: 0,
    };
    this.state.groups[group.id] = group;
    return group;
  }

  addMember(group: UaaGroup, userId: string, origin = 'uaa'): void {
    if (group.members.some((m) => m.value === userId)) return;
    group.members.push({ value: userId, type: 'USER', origin });
    group.version++;
    group.lastModified = this.kernel.clock.now();
  }

  /** Group names the user belongs to, directly or through nested groups. */
  userGroups(userId: string): string[] {
    const names = new Set<string>();
    const memberOf = (id: string, seen: Set<string>): void => {
      for (const g of Object.values(this.state.groups)) {
        if (seen.has(g.id)) continue;
        if (g.members.some((m) => m.value === id)) {
          names.add(g.displayName);
          seen.add(g.id);
          memberOf(g.id, seen);
        }
      }
    };
    memberOf(userId, new Set());
    return [...names].sort();
  }

  // ---- seeding

  #seed(): UaaState {
    this.state = {
      zoneId: ZONE_ID,
      keys: [],
      clients: {},
      users: {},
      groups: {},
      tokens: {},
      revokedJtis: [],
      keyCounter: 0,
    };
    if (this.config.defaults) {
      this.addClient({
        client_id: DEFAULT_CLIENTS.uaaAdmin,
        name: 'UAA admin client',
        authorized_grant_types: ['client_credentials'],
        authorities: UAA_ADMIN_AUTHORITIES,
        scope: ['uaa.none'],
      });
      this.addClient({
        client_id: DEFAULT_CLIENTS.cf,
        client_secret: '',
        name: 'cf CLI',
        allowpublic: true,
        authorized_grant_types: ['password', 'refresh_token', 'authorization_code', 'implicit'],
        scope: CF_CLIENT_SCOPES,
        authorities: ['uaa.none'],
        access_token_validity: 7200,
        refresh_token_validity: 1_209_600,
      });
      this.addClient({
        client_id: DEFAULT_CLIENTS.boshAdmin,
        name: 'BOSH director admin client',
        authorized_grant_types: ['client_credentials'],
        authorities: ['bosh.admin'],
        scope: ['uaa.none'],
      });
      this.addClient({
        client_id: DEFAULT_CLIENTS.boshCli,
        client_secret: '',
        name: 'bosh CLI',
        allowpublic: true,
        authorized_grant_types: ['password', 'refresh_token'],
        scope: BOSH_CLI_SCOPES,
        authorities: ['uaa.none'],
        access_token_validity: 120,
        refresh_token_validity: 86_400,
      });
      this.addClient({
        client_id: DEFAULT_CLIENTS.ccAdmin,
        name: 'Cloud Controller admin client (for service brokers)',
        authorized_grant_types: ['client_credentials'],
        authorities: ['cloud_controller.admin', 'cloud_controller.read', 'cloud_controller.write', 'scim.read', 'clients.write', 'uaa.resource'],
        scope: ['uaa.none'],
      });
      this.addUser({ userName: DEFAULT_ADMIN_USER, groups: ADMIN_USER_GROUPS, givenName: 'Admin', familyName: 'User' });
    }
    for (const g of this.config.groups) this.ensureGroup(g);
    for (const c of this.config.clients) this.addClient(c);
    for (const u of this.config.users) {
      const existing = this.userByName(u.userName, u.origin);
      if (existing) {
        if (u.password) existing.password = u.password;
        for (const g of u.groups ?? []) this.addMember(this.ensureGroup(g), existing.id);
      } else this.addUser(u);
    }
    return this.state;
  }
}
