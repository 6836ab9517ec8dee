import type { Kernel } from '../core/kernel.js';
import type { Random } from '../core/random.js';
import {
  ADMIN_USER_GROUPS,
  BOSH_CLI_SCOPES,
  CF_CLIENT_SCOPES,
  DEFAULT_ADMIN_USER,
  DEFAULT_CLIENTS,
  ODB_CLIENT_AUTHORITIES,
  UAA_ADMIN_AUTHORITIES,
  type UaaClientConfig,
  type UaaConfig,
  type UaaUserConfig,
} from './config.js';
import { EmptyResponse, UaaError, scimError } from './errors.js';
import { generateSigningKey, type SigningKey } from './keys.js';
import {
  DEFAULT_USER_GROUPS,
  VALID_GRANTS,
  type UaaClient,
  type UaaGroup,
  type UaaGroupMember,
  type StoredToken,
  type UaaState,
  type UaaUser,
} from './state.js';

/** What the SCIM endpoints pass in for a user (already lifted out of the SCIM JSON shape). */
export interface ScimUserInput {
  userName?: string;
  password?: string;
  email?: string;
  givenName?: string;
  familyName?: string;
  origin?: string;
  active?: boolean;
  verified?: boolean;
  externalId?: string;
  phoneNumbers?: { value: string }[];
}

const invalidClientDetails = (message: string) => new UaaError(400, 'invalid_client', message);

/** TokenRevocationEndpoint answers an unknown user, client or token id with a 404 `invalid_token`. */
const notFoundForRevocation = () => new UaaError(404, 'invalid_token', 'Resource not found');

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
    const key = generateSigningKey(id, this.kernel.clock.now(), this.kernel.keys);
    this.state.keys.push(key);
    return key;
  }

  /** Starts with a given key (PEMs) instead of generating one; see `signing_key` in the config. */
  adoptKey(privatePem: string, publicPem: string): SigningKey {
    const key: SigningKey = { kid: `key-${++this.state.keyCounter}`, privatePem, publicPem, active: true, createdAt: this.kernel.clock.now() };
    for (const k of this.state.keys) k.active = false;
    this.state.keys.push(key);
    return key;
  }

  removeKey(kid: string): boolean {
    const i = this.state.keys.findIndex((k) => k.kid === kid);
    if (i < 0 || this.state.keys[i].active) return false;
    this.state.keys.splice(i, 1);
    return true;
  }

  /** Back to the seeded records; signing keys (and the kid counter) stay, so issued tokens still verify. */
  reset(): void {
    const { keys, keyCounter } = this.state;
    this.state = JSON.parse(this.#initial);
    this.state.keys = keys;
    this.state.keyCounter = keyCounter;
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
      ...(cfg.required_user_groups ? { required_user_groups: [...cfg.required_user_groups] } : {}),
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

  // ---- admin operations (the rules behind /oauth/clients, /Users, /Groups and revocation)

  /** A client as the admin API changes it; validation follows ClientAdminEndpointsValidator. */
  validateClient(c: UaaClientConfig, creating: boolean): void {
    if (!c.client_id || !/^[^\s]+$/.test(c.client_id)) throw invalidClientDetails('Client ID must not be empty and must not contain whitespace');
    const grants = c.authorized_grant_types ?? [];
    if (grants.length === 0) throw invalidClientDetails(`An authorized grant type must be provided. Must be one of: ${JSON.stringify(VALID_GRANTS).replace(/"/g, '')}`);
    for (const g of grants) {
      if (!VALID_GRANTS.includes(g)) throw invalidClientDetails(`${g} is not an allowed grant type. Must be one of: ${VALID_GRANTS.join(', ')}`);
    }
    if (grants.includes('implicit') && grants.some((g) => g !== 'implicit' && g !== 'refresh_token' && g !== 'authorization_code')) {
      throw invalidClientDetails('implicit grant type is not allowed together with client_credentials or password');
    }
    const needsSecret = grants.some((g) => g === 'client_credentials' || g === 'password' || g === 'authorization_code' || g === 'urn:ietf:params:oauth:grant-type:jwt-bearer' || g === 'user_token');
    if (creating && needsSecret && !c.allowpublic && (c.client_secret === undefined || c.client_secret === '')) {
      throw invalidClientDetails(`Client secret is required for ${grants.find((g) => g !== 'refresh_token')} grant type`);
    }
  }

  createClient(c: UaaClientConfig): UaaClient {
    this.validateClient(c, true);
    if (this.client(c.client_id)) throw new UaaError(409, 'invalid_client', `Client already exists: ${c.client_id}`);
    return this.addClient(c);
  }

  updateClient(id: string, c: UaaClientConfig): UaaClient {
    const existing = this.client(id);
    if (!existing) throw new EmptyResponse(404);
    if (c.client_id !== id) throw invalidClientDetails('The client_id in the body does not match the client_id in the URL');
    const merged: UaaClientConfig = { ...c, authorized_grant_types: c.authorized_grant_types ?? existing.authorized_grant_types };
    this.validateClient(merged, false);
    // The secret is not changed by an update (PUT /oauth/clients/{id}/secret does that).
    existing.name = c.name ?? existing.name;
    existing.scope = c.scope ?? existing.scope;
    existing.authorized_grant_types = merged.authorized_grant_types!;
    existing.authorities = c.authorities ?? existing.authorities;
    existing.resource_ids = c.resource_ids ?? existing.resource_ids;
    existing.redirect_uri = c.redirect_uri ?? existing.redirect_uri;
    if (c.autoapprove !== undefined) existing.autoapprove = c.autoapprove;
    if (c.allowpublic !== undefined) existing.allowpublic = c.allowpublic;
    if (c.access_token_validity !== undefined) existing.access_token_validity = c.access_token_validity;
    if (c.refresh_token_validity !== undefined) existing.refresh_token_validity = c.refresh_token_validity;
    if (c.required_user_groups !== undefined) existing.required_user_groups = [...c.required_user_groups];
    existing.lastModified = this.kernel.clock.now();
    return existing;
  }

  deleteClient(id: string): UaaClient {
    const existing = this.client(id);
    if (!existing) throw new EmptyResponse(404);
    delete this.state.clients[id];
    this.#dropTokens((t) => t.claims.cid === id);
    return existing;
  }

  /** `changeMode: UPDATE`: the one secret from now on (a second one goes too). */
  changeClientSecret(id: string, secret: string): void {
    const client = this.#existingClient(id);
    client.secretVersion = nextSecretVersion(client);
    client.client_secret = secret;
    delete client.secondSecret;
    client.lastModified = this.kernel.clock.now();
  }

  /** `changeMode: ADD`: a second secret beside the first, or the first for a client without one (the caller checks there are not two). */
  addClientSecret(id: string, secret: string): void {
    const client = this.#existingClient(id);
    if (client.client_secret === '') {
      client.client_secret = secret;
      client.secretVersion = nextSecretVersion(client);
    } else client.secondSecret = { value: secret, version: nextSecretVersion(client) };
    client.lastModified = this.kernel.clock.now();
  }

  /** `changeMode: DELETE`: the first of two secrets goes, the one added stays. */
  deleteClientSecret(id: string): void {
    const client = this.#existingClient(id);
    if (!client.secondSecret) return;
    client.client_secret = client.secondSecret.value;
    client.secretVersion = client.secondSecret.version;
    delete client.secondSecret;
    client.lastModified = this.kernel.clock.now();
  }

  #existingClient(id: string): UaaClient {
    const client = this.client(id);
    if (!client) throw new EmptyResponse(404);
    return client;
  }

  /** `/oauth/token/revoke/client/{id}`: a new token salt (every token of the client fails rev_sig) and stored tokens gone. */
  revokeClientTokens(id: string): void {
    const client = this.client(id);
    if (!client) throw notFoundForRevocation();
    client.tokenSalt = this.random.secret(8);
    this.#dropTokens((t) => t.claims.cid === id);
  }

  /** `/oauth/token/revoke/user/{id}`: a new user salt, so every token of the user fails rev_sig. */
  revokeUserTokens(id: string): void {
    const user = this.user(id);
    if (!user) throw notFoundForRevocation();
    user.tokenSalt = this.random.secret(8);
  }

  /** `/oauth/token/revoke/user/{id}/client/{cid}`: the stored tokens of that user with that client are gone. */
  revokeUserClientTokens(userId: string, clientId: string): void {
    this.#dropTokens((t) => t.claims.user_id === userId && t.claims.cid === clientId);
  }

  /** Remembers a token UAA must look up later: an opaque value, or a revocable JWT by its jti. */
  storeToken(token: StoredToken): void {
    this.state.tokens[token.value] = token;
  }

  /** `DELETE /oauth/token/revoke/{tokenId}`: only stored (revocable, e.g. opaque) tokens can be revoked by id. */
  revokeToken(tokenId: string): { userId?: string; clientId?: string } {
    const stored = Object.hasOwn(this.state.tokens, tokenId) ? this.state.tokens[tokenId] : undefined;
    if (!stored) throw notFoundForRevocation();
    delete this.state.tokens[tokenId];
    return { userId: stored.claims.user_id as string | undefined, clientId: stored.claims.cid as string | undefined };
  }

  storedToken(tokenId: string) {
    return Object.hasOwn(this.state.tokens, tokenId) ? this.state.tokens[tokenId] : undefined;
  }

  /** Forgets stored tokens that have expired on the virtual clock (keeps snapshots small). */
  pruneTokens(): void {
    const now = this.kernel.clock.nowSeconds();
    this.#dropTokens((t) => t.expiresAt <= now);
  }

  #dropTokens(pred: (t: UaaState['tokens'][string]) => boolean): void {
    for (const [k, t] of Object.entries(this.state.tokens)) if (pred(t)) delete this.state.tokens[k];
  }

  createUser(input: ScimUserInput): UaaUser {
    const userName = input.userName?.trim();
    if (!userName) throw scimError(400, 'invalid_scim_resource', 'A username must be provided.');
    if (!/^[\p{L}\p{N}+\-_.@'!]+$/u.test(userName)) {
      throw scimError(400, 'invalid_scim_resource', "Username must contain only letters, numbers, special characters +,-,_,.,@,', and !");
    }
    const origin = input.origin || 'uaa';
    const email = input.email;
    if (!email) throw scimError(400, 'invalid_scim_resource', 'Exactly one email must be provided.');
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw scimError(400, 'invalid_scim_resource', `Invalid format for email: ${email}`);
    if (origin === 'uaa' && !input.password) throw scimError(400, 'invalid_password', 'Password must be at least 1 characters in length.');
    const dup = this.userByName(userName, origin);
    if (dup) {
      throw scimError(409, 'scim_resource_already_exists', `Username already in use: ${dup.userName}`, {
        active: dup.active,
        verified: dup.verified,
        user_id: dup.id,
      });
    }
    const user = this.addUser({
      userName,
      password: origin === 'uaa' ? input.password : '',
      email,
      givenName: input.givenName ?? '',
      familyName: input.familyName ?? '',
      origin,
    });
    user.active = input.active ?? true;
    user.verified = input.verified ?? true;
    if (input.externalId) user.externalId = input.externalId;
    if (input.phoneNumbers) user.phoneNumbers = input.phoneNumbers;
    return user;
  }

  requireUser(id: string): UaaUser {
    const u = this.user(id);
    if (!u) throw scimError(404, 'scim_resource_not_found', `User ${id} does not exist`);
    return u;
  }

  /** Optimistic locking as JdbcScimUserProvisioning: the version must match, `*` matches any. */
  updateUser(id: string, input: ScimUserInput, version: number): UaaUser {
    const user = this.requireUser(id);
    if (version !== user.version) {
      throw scimError(409, 'scim_resource_conflict', `Attempt to update a user (${id}) with wrong version: expected=${version} but found=${user.version}`);
    }
    const userName = input.userName?.trim();
    if (!userName) throw scimError(400, 'invalid_scim_resource', 'A username must be provided.');
    if (!input.email) throw scimError(400, 'invalid_scim_resource', 'Exactly one email must be provided.');
    const origin = input.origin || user.origin;
    const dup = this.userByName(userName, origin);
    if (dup && dup.id !== id) throw scimError(409, 'scim_resource_already_exists', `Username already in use: ${dup.userName}`);
    user.userName = userName;
    user.email = input.email;
    user.givenName = input.givenName ?? user.givenName;
    user.familyName = input.familyName ?? user.familyName;
    user.origin = origin;
    if (input.active !== undefined) user.active = input.active;
    if (input.verified !== undefined) user.verified = input.verified;
    if (input.externalId !== undefined) user.externalId = input.externalId;
    if (input.phoneNumbers !== undefined) user.phoneNumbers = input.phoneNumbers;
    user.version++;
    user.lastModified = this.kernel.clock.now();
    return user;
  }

  deleteUser(id: string, version?: number): UaaUser {
    const user = this.requireUser(id);
    if (version !== undefined && version !== user.version) {
      throw scimError(409, 'scim', `Attempt to delete a user (${id}) with wrong version: expected=${version} but found=${user.version}`);
    }
    for (const g of Object.values(this.state.groups)) {
      const before = g.members.length;
      g.members = g.members.filter((m) => m.value !== id);
      if (g.members.length !== before) g.version++;
    }
    delete this.state.users[id];
    this.#dropTokens((t) => t.claims.user_id === id);
    return user;
  }

  /** A successful password login: the previous logon time moves back, the last one is now. */
  recordLogon(id: string): void {
    const user = this.requireUser(id);
    user.previousLogonTime = user.lastLogonTime;
    user.lastLogonTime = this.kernel.clock.now();
  }

  /** `PATCH /Users/{id}/status` with `passwordChangeRequired: true`: the password grant refuses until the password changes. */
  requirePasswordChange(id: string): void {
    this.requireUser(id).passwordChangeRequired = true;
  }

  setPassword(id: string, password: string): void {
    const user = this.requireUser(id);
    user.password = password;
    user.passwordChangeRequired = false;
    user.passwordVersion++;
    user.passwordLastModified = this.kernel.clock.now();
    user.lastModified = user.passwordLastModified;
  }

  requireGroup(id: string): UaaGroup {
    const g = this.group(id);
    if (!g) throw scimError(404, 'scim_resource_not_found', `Group ${id} does not exist`);
    return g;
  }

  #checkMembers(members: UaaGroupMember[]): UaaGroupMember[] {
    return members.map((m) => {
      const type = (m.type ?? 'USER').toUpperCase();
      if (type !== 'USER' && type !== 'GROUP') throw scimError(400, 'invalid_scim_resource', `Invalid member type: ${m.type}`);
      if (!m.value) throw scimError(400, 'invalid_scim_resource', 'Member value (id) must be provided');
      if (type === 'USER' && !this.user(m.value)) throw scimError(404, 'scim_resource_not_found', `User ${m.value} does not exist`);
      if (type === 'GROUP' && !this.group(m.value)) throw scimError(404, 'scim_resource_not_found', `Group ${m.value} does not exist`);
      return { value: m.value, type: type as 'USER' | 'GROUP', origin: m.origin ?? 'uaa' };
    });
  }

  createGroup(input: { displayName?: string; description?: string; members?: UaaGroupMember[] }): UaaGroup {
    const name = input.displayName?.trim();
    if (!name) throw scimError(400, 'invalid_scim_resource', 'A group must have a displayName');
    if (this.groupByName(name)) throw scimError(409, 'scim_resource_already_exists', `A group with displayName: ${name} already exists.`);
    const members = this.#checkMembers(input.members ?? []);
    const g = this.ensureGroup(name, input.description);
    g.members = members;
    return g;
  }

  updateGroup(id: string, input: { displayName?: string; description?: string; members?: UaaGroupMember[] }, version: number): UaaGroup {
    const g = this.requireGroup(id);
    if (version !== g.version) {
      throw scimError(409, 'scim_resource_conflict', `Attempt to update a group (${id}) with wrong version: expected=${version} but found=${g.version}`);
    }
    const name = input.displayName?.trim();
    if (!name) throw scimError(400, 'invalid_scim_resource', 'A group must have a displayName');
    const dup = this.groupByName(name);
    if (dup && dup.id !== id) throw scimError(409, 'scim_resource_already_exists', `A group with displayName: ${name} already exists.`);
    const members = input.members !== undefined ? this.#checkMembers(input.members) : g.members;
    g.displayName = name;
    g.description = input.description;
    g.members = members;
    g.version++;
    g.lastModified = this.kernel.clock.now();
    return g;
  }

  deleteGroup(id: string, version?: number): UaaGroup {
    const g = this.requireGroup(id);
    if (version !== undefined && version !== g.version) {
      throw scimError(409, 'scim_resource_conflict', `Attempt to delete a group (${id}) with wrong version: expected=${version} but found=${g.version}`);
    }
    delete this.state.groups[id];
    for (const other of Object.values(this.state.groups)) other.members = other.members.filter((m) => m.value !== id);
    return g;
  }

  addGroupMember(groupId: string, member: UaaGroupMember): UaaGroupMember {
    const g = this.requireGroup(groupId);
    const [m] = this.#checkMembers([member]);
    if (g.members.some((x) => x.value === m.value)) {
      throw scimError(409, 'member_already_exists', `Member ${m.value} already exists in group ${groupId}`);
    }
    g.members.push(m);
    g.version++;
    g.lastModified = this.kernel.clock.now();
    return m;
  }

  removeGroupMember(groupId: string, memberId: string): UaaGroupMember {
    const g = this.requireGroup(groupId);
    const m = g.members.find((x) => x.value === memberId);
    if (!m) throw scimError(404, 'member_not_found', `Member ${memberId} does not exist in group ${groupId}`);
    g.members = g.members.filter((x) => x.value !== memberId);
    g.version++;
    g.lastModified = this.kernel.clock.now();
    return m;
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
      this.addClient({
        client_id: DEFAULT_CLIENTS.odb,
        // Its own stream, so adding this client shifted no other seeded value.
        client_secret: this.kernel.random.fork('uaa/odb').secret(24),
        name: 'On-Demand Service Broker and its errands',
        authorized_grant_types: ['client_credentials'],
        authorities: ODB_CLIENT_AUTHORITIES,
        scope: ['uaa.none'],
      });
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

/** The client's secrets in the order added (one, or two after `changeMode: ADD`), each with its version for rev_sig. */
export function clientSecrets(client: UaaClient): { value: string; version: number }[] {
  return [{ value: client.client_secret, version: client.secretVersion }, ...(client.secondSecret ? [client.secondSecret] : [])];
}

/** Whether `secret` is one of the client's secrets (UAA accepts either of two). */
export function clientSecretMatches(client: UaaClient, secret: string): boolean {
  return clientSecrets(client).some((s) => s.value === secret);
}

// Each secret UAA stores is a fresh hash, so a secret set again is a new one for rev_sig.
function nextSecretVersion(client: UaaClient): number {
  return Math.max(client.secretVersion, client.secondSecret?.version ?? 0) + 1;
}
