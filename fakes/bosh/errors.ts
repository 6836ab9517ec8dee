import type { Context } from 'hono';

/** A director error: `{"code": N, "description": "..."}` with the error class's HTTP status. */
export class BoshError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

export const boshErr = (code: number, description: string, status = 400) => new BoshError(status, code, description);

/** Errors raised as plain Ruby exceptions in a task become DirectorError code 100. */
export const generic = (description: string) => new BoshError(500, 100, description);

export const E = {
  taskNotFound: (id: string | number) => new BoshError(404, 10000, `Task ${id} not found`),
  deploymentNotFound: (name: string) => new BoshError(404, 70000, `Deployment '${name}' doesn't exist`),
  instanceNotFound: (slug: string) => new BoshError(404, 70001, `'${slug}' doesn't exist`),
  invalidIndex: (x: string) => new BoshError(400, 70002, `Invalid instance index or id '${x}'`),
  errandNotFound: (name: string) => new BoshError(404, 70009, `Errand '${name}' doesn't exist`),
  releaseNotFound: (name: string) => new BoshError(404, 30005, `Release '${name}' doesn't exist`),
  releaseVersionNotFound: (name: string, v: string) => new BoshError(404, 30006, `Release version '${name}/${v}' doesn't exist`),
  stemcellNotFound: (name: string, v: string) => new BoshError(404, 50003, `Stemcell '${name}/${v}' doesn't exist`),
  configNotFound: (id: string | number) => new BoshError(404, 440012, `Config ${id} not found`),
  badConfigRequest: (msg: string) => new BoshError(400, 440010, msg),
  badManifest: (msg: string) => new BoshError(400, 440001, msg),
  invalidJson: (msg: string) => new BoshError(400, 710001, `Invalid JSON request body: ${msg}`),
  deploymentRequired: () => new BoshError(400, 190024, 'Deployment name is required'),
};

export function errorResponse(err: BoshError): Response {
  return new Response(JSON.stringify({ code: err.code, description: err.description }), {
    status: err.status,
    headers: { 'content-type': 'application/json' },
  });
}

export function text(body: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain', ...headers } });
}

export const notAuthorized = (path: string) =>
  text(`Not authorized: '${path}'\n`, 401, { 'www-authenticate': 'Basic realm="BOSH Director"' });

export const endpointNotFound = (path: string) => text(`Endpoint '${path}' not found.`, 404);

/** How the director answers a bare status (fault rules use this): other exceptions give an empty 500. */
export function formatBoshError(c: Context, status: number, message?: string): Response {
  if (status === 401) return notAuthorized(c.req.path);
  if (status === 404 && !message) return endpointNotFound(c.req.path);
  if (status >= 500 && !message) return new Response(null, { status });
  return errorResponse(new BoshError(status, 100, message ?? ''));
}
