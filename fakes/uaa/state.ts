import type { Random } from '../core/random.js';
import type { SigningKey } from './keys.js';

/** UAA's defaults (UaaTokenServices / BaseClientDetails): 12 h access tokens, 30 days refresh tokens. */
export const DEFAULT_ACCESS_TOKEN_VALIDITY = 43_200;
export const DEFAULT_REFRESH_TOKEN_VALIDITY = 2_592_000;

export interface UaaClient {
  client_id: string;
  client_secret: string;
  name?: string;
  scope: string[];
  authorized_grant_types: string[];
  authorities: string[];
  resource_ids: string[];
  redirect_uri: string[];
  autoapprove: string[] | boolean;
  allowpublic: boolean;
  access_token_validity?: number;
  refresh_token_validity?: number;
  required_user_groups?: string[];
  lastModified: number;
  /** Bumped when the secret changes: part of rev_sig, so old tokens stop verifying via check_token. */
  secretVersion: number;
}

export interface UaaUser {
  id: string;
  userName: string;
  password: string;
  givenName: string;
  familyName: string;
  email: string;
  origin: string;
  active: boolean;
  verified: boolean;
  zoneId: string;
  created: number;
  lastModified: number;
  version: number;
  passwordLastModified: number;
  lastLogonTime?: number;
  /** Bumped when the password changes (rev_sig). */
  passwordVersion: number;
}

export interface UaaGroupMember {
  value: string;
  type: 'USER' | 'GROUP';
  origin: string;
}

export interface UaaGroup {
  id: string;
  displayName: string;
  description?: string;
  members: UaaGroupMember[];
  zoneId: string;
  created: number;
  lastModified: number;
  version: number;
}

/** Tokens the UAA must remember: opaque ones (looked up by value) and revocations. */
export interface StoredToken {
  /** The opaque value handed out, or the jti of a revocable JWT. */
  value: string;
  claims: Record<string, unknown>;
  expiresAt: number;
  kind: 'access' | 'refresh';
}

export interface UaaState {
  zoneId: string;
  keys: SigningKey[];
  clients: Record<string, UaaClient>;
  users: Record<string, UaaUser>;
  groups: Record<string, UaaGroup>;
  tokens: Record<string, StoredToken>;
  revokedJtis: string[];
  keyCounter: number;
}

/** The scopes UAA grants every user through its default groups. */
export const DEFAULT_USER_GROUPS = [
  'openid',
  'profile',
  'email',
  'phone',
  'roles',
  'user_attributes',
  'uaa.user',
  'uaa.offline_token',
  'password.write',
  'scim.me',
  'cloud_controller.read',
  'cloud_controller.write',
  'cloud_controller_service_permissions.read',
  'oauth.approvals',
  'approvals.me',
  'scim.userids',
];

export function newId(random: Random): string {
  return random.uuid();
}
