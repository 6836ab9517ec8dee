import type { Clock } from '../core/clock.js';
import type { Simulator } from '../core/simulator.js';
import { UaaResourceServer } from '../uaa/resource-server.js';
import type { UaaSimulator } from '../uaa/index.js';
import type { BoshConfig } from './config.js';
import { BoshError } from './errors.js';

export interface Principal {
  name: string;
  scopes: string[];
}

export type DirectorPermission =
  | 'admin'
  | 'read'
  | 'list_deployments'
  | 'list_tasks'
  | 'read_releases'
  | 'read_stemcells'
  | 'read_events'
  | 'list_configs'
  | 'read_link'
  | 'create_deployment'
  | 'create_link'
  | 'delete_link'
  | 'update_configs'
  | 'upload_releases'
  | 'upload_stemcells';

/**
 * The director's identity providers (basic users from config, or UAA bearer JWTs checked against
 * the fake UAA's keys on the virtual clock) and its permission authorizer.
 */
export class BoshAuth {
  #resource?: UaaResourceServer;
  /** Verified tokens (signature checks are the costly part); expiry is still checked on every use. */
  #verified = new Map<string, { principal: Principal; exp: number }>();

  constructor(
    private readonly config: BoshConfig,
    private readonly uuid: string,
    private readonly peers: ReadonlyMap<string, Simulator>,
    private readonly clock: Clock,
  ) {}

  get mode(): 'uaa' | 'basic' {
    return this.config.auth.type;
  }

  async authenticate(header: string | undefined): Promise<Principal | null> {
    if (!header) return null;
    const [scheme, ...rest] = header.trim().split(/\s+/);
    const value = rest.join(' ');
    if (this.mode === 'basic') {
      if (scheme.toLowerCase() !== 'basic' || !value) return null;
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i <= 0) return null;
      const name = decoded.slice(0, i);
      const password = decoded.slice(i + 1);
      if (!password) return null;
      const user = this.config.auth.users.find((u) => u.name === name && u.password === password);
      return user ? { name: user.name, scopes: user.scopes ?? ['bosh.admin'] } : null;
    }
    if (scheme.toLowerCase() !== 'bearer' || !value) return null;
    const uaa = this.peers.get('uaa') as UaaSimulator | undefined;
    if (!uaa) return null;
    const hit = this.#verified.get(value);
    if (hit) {
      if (hit.exp > this.clock.nowSeconds()) return hit.principal;
      this.#verified.delete(value);
    }
    this.#resource ??= new UaaResourceServer(uaa, this.clock);
    const r = await this.#resource.verify(value, { refuseRefreshTokens: true });
    if (!r.ok) return null;
    const c = r.claims;
    if (typeof c.jti !== 'string') return null;
    const name = typeof c.user_name === 'string' ? c.user_name : typeof c.client_id === 'string' ? c.client_id : '';
    const principal = { name, scopes: r.scopes };
    if (this.#verified.size >= 1000) this.#verified.clear();
    this.#verified.set(value, { principal, exp: Number(c.exp) });
    return principal;
  }

  #admin = () => ['bosh.admin', `bosh.${this.uuid}.admin`];
  #read = () => ['bosh.read', `bosh.${this.uuid}.read`];

  isAdmin(p: Principal): boolean {
    return this.#admin().some((s) => p.scopes.includes(s));
  }
  isRead(p: Principal): boolean {
    return this.#read().some((s) => p.scopes.includes(s));
  }
  adminTeams(p: Principal): string[] {
    return p.scopes.flatMap((s) => /^bosh\.teams\.([^.]+)\.admin$/.exec(s)?.[1] ?? []);
  }
  readTeams(p: Principal): string[] {
    return p.scopes.flatMap((s) => /^bosh\.teams\.([^.]+)\.read$/.exec(s)?.[1] ?? []);
  }

  director(p: Principal, perm: DirectorPermission): boolean {
    const admin = this.isAdmin(p);
    const read = this.isRead(p);
    const teamAdmin = this.adminTeams(p).length > 0;
    const teamAny = teamAdmin || this.readTeams(p).length > 0;
    switch (perm) {
      case 'admin':
        return admin;
      case 'read':
        return admin || read;
      case 'list_deployments':
      case 'list_tasks':
      case 'read_releases':
      case 'read_stemcells':
        return admin || read || teamAdmin;
      case 'read_events':
      case 'list_configs':
      case 'read_link':
        return admin || read || teamAny;
      case 'create_deployment':
      case 'create_link':
      case 'delete_link':
      case 'update_configs':
        return admin || teamAdmin;
      case 'upload_releases':
        return admin || p.scopes.includes('bosh.releases.upload');
      case 'upload_stemcells':
        return admin || p.scopes.includes('bosh.stemcells.upload');
    }
  }

  /** `:admin` or `:read` on something owned by teams (a deployment, a task, a team config). */
  owned(p: Principal, perm: 'admin' | 'read', teams: string[]): boolean {
    if (this.isAdmin(p)) return true;
    if (this.adminTeams(p).some((t) => teams.includes(t))) return true;
    if (perm === 'admin') return false;
    return this.isRead(p) || this.readTeams(p).some((t) => teams.includes(t));
  }

  ownedScopes(perm: 'admin' | 'read', teams: string[]): string[] {
    const out = [...this.#admin(), ...teams.map((t) => `bosh.teams.${t}.admin`)];
    if (perm === 'read') out.push(...teams.map((t) => `bosh.teams.${t}.read`), ...this.#read());
    return out;
  }

  directorScopes(perm: DirectorPermission): string[] {
    if (perm === 'admin' || perm === 'create_deployment' || perm === 'update_configs' || perm === 'create_link' || perm === 'delete_link') return this.#admin();
    if (perm === 'upload_releases') return [...this.#admin(), 'bosh.releases.upload'];
    if (perm === 'upload_stemcells') return [...this.#admin(), 'bosh.stemcells.upload'];
    return [...this.#admin(), ...this.#read()];
  }

  requireDirector(p: Principal, perm: DirectorPermission): void {
    if (!this.director(p, perm)) throw new BoshError(401, 600000, `Require one of the scopes: ${this.directorScopes(perm).join(', ')}`);
  }

  requireOwned(p: Principal, perm: 'admin' | 'read', teams: string[], what: 'deployment' | 'task' | 'config' = 'deployment'): void {
    if (this.owned(p, perm, teams)) return;
    const scopes = this.ownedScopes(perm, teams).join(', ');
    throw new BoshError(401, 600000, what === 'task' ? `One of the following scopes is required to access this task: ${scopes}` : `Require one of the scopes: ${scopes}`);
  }
}
