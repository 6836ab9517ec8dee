import type { Clock } from '../core/clock.js';

/** Sinatra's default for a body no route typed: what the director sends for most of its JSON too. */
export const SINATRA_DEFAULT_TYPE = 'text/html;charset=utf-8';

// The few routes that call `content_type(:json)`; every other body goes out with Sinatra's default.
const JSON_ROUTES = [/^\/info$/, /^\/tasks$/, /^\/tasks\/[^/]+$/, /^\/locks$/, /^\/events(\/[^/]+)?$/, /^\/releases\/[^/]+$/];

/**
 * The headers every director response carries: `Date` (from the foundation clock), the
 * `WWW-Authenticate` challenge the auth filter sets on every route but `/info` (whatever the
 * status), and the content type Sinatra and Rack would give it.
 */
export function finishDirectorResponse(res: Response, method: string, path: string, clock: Clock): Response {
  let out = res;
  try {
    out.headers.set('date', clock.date().toUTCString());
  } catch {
    // Immutable headers (a fetched response): copy once, then set.
    out = new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
    out.headers.set('date', clock.date().toUTCString());
  }
  const h = out.headers;
  if (path !== '/info') h.set('www-authenticate', 'Basic realm="BOSH Director"');
  const status = out.status;
  if (status === 204 || status === 304) {
    h.delete('content-type');
    return out;
  }
  const ct = h.get('content-type') ?? '';
  if (ct.startsWith('application/octet-stream') || ct.startsWith('text/plain;charset=utf-8')) return out;
  const json = status < 300 && method === 'GET' && ct.startsWith('application/json') && JSON_ROUTES.some((r) => r.test(path));
  h.set('content-type', json ? 'application/json' : SINATRA_DEFAULT_TYPE);
  return out;
}
