import type { Context, Hono } from 'hono';
import type { UaaModel } from '../model.js';

export const UAA_VERSION = '77.20.0';

function openIdConfiguration(model: UaaModel): Record<string, unknown> {
  const base = model.baseUrl;
  return {
    issuer: model.issuer,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'HS256'],
    userinfo_endpoint: `${base}/userinfo`,
    jwks_uri: `${base}/token_keys`,
    end_session_endpoint: `${base}/logout.do`,
    scopes_supported: ['openid', 'profile', 'email', 'phone', 'roles', 'user_attributes'],
    response_types_supported: ['code', 'code id_token', 'id_token', 'token id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'HS256'],
    id_token_encryption_alg_values_supported: ['none'],
    claim_types_supported: ['normal'],
    claims_supported: [
      'sub', 'user_name', 'origin', 'iss', 'auth_time', 'amr', 'acr', 'client_id', 'aud', 'zid', 'grant_type', 'user_id',
      'azp', 'scope', 'exp', 'iat', 'jti', 'rev_sig', 'cid', 'given_name', 'family_name', 'phone_number', 'email',
    ],
    claims_parameter_supported: false,
    service_documentation: 'http://docs.cloudfoundry.org/api/uaa/',
    ui_locales_supported: ['en-US'],
    code_challenge_methods_supported: ['S256', 'plain'],
  };
}

function info(model: UaaModel): Record<string, unknown> {
  const base = model.baseUrl;
  return {
    app: { version: UAA_VERSION },
    links: { uaa: base, passwd: '/forgot_password', login: base, register: '/create_account' },
    zone_name: 'uaa',
    entityID: 'cloudfoundry-saml-login',
    commit_id: 'fakefoundry',
    idpDefinitions: {},
    prompts: {
      username: ['text', 'Email'],
      password: ['password', 'Password'],
      passcode: ['password', `Temporary Authentication Code ( Get one at ${base}/passcode )`],
    },
    timestamp: '2026-01-01T00:00:00+0000',
    showLoginLinks: true,
  };
}

const JSON_UTF8 = { 'content-type': 'application/json;charset=UTF-8' };

/** `/info` and `/login` answer JSON only when asked for it, as UAA does; otherwise a login page. */
function infoOrPage(c: Context, model: UaaModel): Response {
  const accept = c.req.header('accept') ?? '';
  if (accept.includes('application/json')) return new Response(JSON.stringify(info(model)), { headers: JSON_UTF8 });
  return c.html('<!DOCTYPE html><html><head><title>Cloud Foundry</title></head><body><h1>Welcome!</h1><form method="post" action="/login.do"><input name="username"/><input name="password" type="password"/></form></body></html>');
}

export function discoveryRoutes(app: Hono, model: UaaModel): void {
  const oidc = () => new Response(JSON.stringify(openIdConfiguration(model)), { headers: JSON_UTF8 });
  app.get('/.well-known/openid-configuration', oidc);
  app.get('/oauth/token/.well-known/openid-configuration', oidc);
  app.get('/info', (c) => infoOrPage(c, model));
  app.get('/login', (c) => infoOrPage(c, model));
  app.get('/healthz', (c) => c.text('ok'));
}
