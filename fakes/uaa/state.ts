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
  /**
   * A second secret, added with `changeMode: ADD` (UAA keeps at most two, in the order added, and
   * either one authenticates); `DELETE` drops the first. Its version plays `secretVersion`'s part.
   */
  secondSecret?: { value: string; version: number };
  /** UAA's per-client `token_salt`: replaced by `/oauth/token/revoke/client/{id}`, which changes rev_sig. */
  tokenSalt?: string;
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
  /** UAA's per-user salt: replaced by `/oauth/token/revoke/user/{id}`, which changes rev_sig. */
  tokenSalt?: string;
  previousLogonTime?: number;
  /** Set through PATCH /Users/{id}/status; the password grant then refuses until the password changes. */
  passwordChangeRequired?: boolean;
  externalId?: string;
  phoneNumbers?: { value: string }[];
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

/** The grant types UAA lets a client have (ClientAdminEndpointsValidator.VALID_GRANTS). */
export const VALID_GRANTS = [
  'implicit',
  'password',
  'client_credentials',
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'user_token',
  'urn:ietf:params:oauth:grant-type:token-exchange',
];

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
