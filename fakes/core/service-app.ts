import { Hono, type Context } from 'hono';
import type { Kernel } from './kernel.js';
import { beginExchange, recordExchange, runFaults } from './exchange.js';

/** Writes an error in the service's own format (UAA `{error,error_description}`, BOSH `{code,description}`, ...). */
export type ErrorFormatter = (c: Context, status: number, message?: string) => Response | Promise<Response>;

/** A reset fault over msw: the in-process mount turns a response with this header into a network error. */
export const RESET_HEADER = 'x-fakefoundry-reset';

export const CONTROL_PREFIX = '/_fakefoundry';

const MAX_RECORDED = 64 * 1024;
const BINARY_TYPES = /multipart\/form-data|application\/x-compressed|application\/octet-stream|application\/gzip|application\/x-tar/i;

function isBinary(contentType: string | undefined | null): boolean {
  return !!contentType && BINARY_TYPES.test(contentType);
}

async function readRecordedBody(c: Context): Promise<string | null> {
  const method = c.req.method;
  if (method === 'GET' || method === 'HEAD') return null;
  const ct = c.req.header('content-type');
  if (isBinary(ct)) {
    const len = c.req.header('content-length');
    return `<binary ${len ?? '?'} bytes>`;
  }
  try {
    const text = await c.req.text();
    return text.length > MAX_RECORDED ? `${text.slice(0, MAX_RECORDED)}…` : text;
  } catch {
    return null;
  }
}

/**
 * The Hono app every fake starts from: the control API under `/_fakefoundry`, then the journal
 * and fault rules on every other route, and an error handler that never shows a stack trace.
 */
export interface ServiceAppOptions {
  /**
   * Stamps the headers the fake puts on every response (BOSH's `Date`, CC's `X-VCAP-Request-ID`)
   * onto fault responses, which are answered before the fake's own middleware runs. Must be
   * idempotent: formatted fault responses pass through the fake's formatter too.
   */
  finishFault?: (c: Context, res: Response) => Response | Promise<Response>;
}

export function createServiceApp(kernel: Kernel, service: string, formatError: ErrorFormatter, opts: ServiceAppOptions = {}): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    // An error that carries its own response (as Hono's HTTPException does) is answered with it.
    const own = (err as { getResponse?: (c: Context) => Response | Promise<Response> }).getResponse;
    if (typeof own === 'function') return own.call(err, c);
    if (process.env.FAKEFOUNDRY_DEBUG) console.error(`[fakefoundry:${service}]`, err);
    return formatError(c, 500, 'Internal error');
  });

  // Forwarded rather than `app.route`d: the control app gains routes after the fakes are built.
  app.all(`${CONTROL_PREFIX}/*`, (c) => {
    const url = new URL(c.req.url);
    url.pathname = url.pathname.slice(CONTROL_PREFIX.length) || '/';
    return kernel.control.fetch(new Request(url, c.req.raw), c.env);
  });

  app.use('*', async (c, next) => {
    if (c.req.path === CONTROL_PREFIX || c.req.path.startsWith(`${CONTROL_PREFIX}/`)) return next();
    const ex = beginExchange(kernel, {
      service,
      direction: 'inbound',
      method: c.req.method,
      url: new URL(c.req.url),
      headers: c.req.raw.headers,
      body: await readRecordedBody(c),
    });

    const outcome = await runFaults(kernel, ex, { signal: c.req.raw.signal });
    let faultResponse: Response | undefined;
    if (outcome.kind === 'reset') {
      const env = c.env as { outgoing?: { socket?: { destroy(): void } } } | undefined;
      env?.outgoing?.socket?.destroy();
      faultResponse = new Response(null, { status: 502, headers: { [RESET_HEADER]: '1' } });
    } else if (outcome.kind === 'status') {
      const a = outcome.action;
      if (a.body !== undefined) {
        faultResponse = new Response(a.body, {
          status: a.status,
          headers: { 'content-type': a.contentType ?? 'application/json', ...(a.headers ?? {}) },
        });
      } else {
        faultResponse = await formatError(c, a.status, a.message);
        for (const [k, v] of Object.entries(a.headers ?? {})) faultResponse.headers.set(k, v);
      }
      if (opts.finishFault) faultResponse = await opts.finishFault(c, faultResponse);
    }

    if (faultResponse) c.res = faultResponse;
    else await next();

    let responseBody: string | null = null;
    let res = c.res;
    if (isBinary(res.headers.get('content-type'))) responseBody = `<binary>`;
    else if (res.body !== null && !faultResponse) {
      // Read once and answer with the text, rather than clone (a tee of two streams per request).
      const text = await res.text();
      res = new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
      c.res = undefined as unknown as Response;
      c.res = res;
      responseBody = text.length > MAX_RECORDED ? `${text.slice(0, MAX_RECORDED)}…` : text;
    } else if (res.body !== null) {
      responseBody = await res.clone().text().catch(() => null);
    }
    recordExchange(kernel, ex, { status: res.status, headers: res.headers, body: responseBody });
  });

  return app;
}
