import { describe, expect, it } from 'vitest';
import { maskBody, maskHeaders } from '../../fakes/core/mask.js';

describe('journal masking', () => {
  it('masks secret headers, keeping the auth scheme', () => {
    expect(maskHeaders({ Authorization: 'Basic dTpw', cookie: 'a=b', accept: 'application/json' })).toEqual({
      authorization: 'Basic ***',
      cookie: '***',
      accept: 'application/json',
    });
  });

  it('shows a JSON body sent with a form content type as JSON, secrets masked in place (ODB registering its broker)', () => {
    const sent = '{"name":"odb","broker_url":"https://odb.example","auth_username":"broker","auth_password":"s3cret"}';
    expect(maskBody(sent, 'application/x-www-form-urlencoded')).toBe(
      '{"name":"odb","broker_url":"https://odb.example","auth_username":"broker","auth_password":"***"}',
    );
  });

  it('masks nested secrets at any depth and whole credentials objects, leaving spacing and key order as sent', () => {
    const sent = '{ "b": 1, "a": { "client_secret" : "x", "list": [ { "password": "p" }, 2 ] },\n  "credentials": {"uri": "db://u:p@h", "password": "q"}, "token": null, "10": "ten" }';
    expect(maskBody(sent, 'application/json')).toBe(
      '{ "b": 1, "a": { "client_secret" : "***", "list": [ { "password": "***" }, 2 ] },\n  "credentials": "***", "token": null, "10": "ten" }',
    );
  });

  it('masks every kind of secret key and no look-alike', () => {
    const body = JSON.stringify({
      password: 1, auth_password: 'a', oldPassword: 'b', client_secret: 'c', secret: 'd', oldSecret: 'e',
      credentials: ['f'], access_token: 'g', refresh_token: 'h', id_token: 'i', token: 'j', passcode: 'k',
      client_assertion: 'l', private_key: 'm',
      token_type: 'bearer', passwordLastModified: '2026', username: 'admin', secrets_enabled: true,
    });
    const masked = JSON.parse(maskBody(body, 'application/json')!);
    for (const k of ['password', 'auth_password', 'oldPassword', 'client_secret', 'secret', 'oldSecret', 'credentials', 'access_token',
      'refresh_token', 'id_token', 'token', 'passcode', 'client_assertion', 'private_key']) expect(masked[k], k).toBe('***');
    expect(masked).toMatchObject({ token_type: 'bearer', passwordLastModified: '2026', username: 'admin', secrets_enabled: true });
  });

  it('masks form bodies pair by pair, keeping every other pair as it was encoded', () => {
    expect(maskBody('grant_type=password&username=a%2Bb+c&password=p%26q&scope=', 'application/x-www-form-urlencoded')).toBe(
      'grant_type=password&username=a%2Bb+c&password=***&scope=',
    );
    expect(maskBody('client_id=x&client%5Fsecret=y', undefined)).toBe('client_id=x&client%5Fsecret=***');
  });

  it('masks YAML scalars and block scalars (a manifest) line by line', () => {
    const manifest = [
      'name: redis',
      'properties:',
      '  password: hunter2',
      '  "admin_password": "x"',
      '  users:',
      '  - name: a',
      '    password: y',
      '  tls:',
      '    private_key: |',
      '      -----BEGIN KEY-----',
      '      abc',
      '    certificate: cert',
      '  token: ~',
    ].join('\n');
    expect(maskBody(manifest, 'text/yaml')!.split('\n')).toEqual([
      'name: redis',
      'properties:',
      "  password: '***'",
      `  "admin_password": '***'`,
      '  users:',
      '  - name: a',
      "    password: '***'",
      '  tls:',
      '    private_key: |',
      '      ***',
      '      ***',
      '    certificate: cert',
      '  token: ~',
    ]);
  });

  it('leaves bodies without secrets, invalid JSON and other content types as they are', () => {
    expect(maskBody('{"a": 1}', 'application/json')).toBe('{"a": 1}');
    expect(maskBody('{"password": ', 'application/json')).toBe('{"password": ');
    expect(maskBody('password=x', 'text/plain')).toBe('password=x');
    expect(maskBody(null, 'application/json')).toBeNull();
    expect(maskBody('', 'application/json')).toBe('');
  });
});
