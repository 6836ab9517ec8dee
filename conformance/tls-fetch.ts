/**
 * A fetch for brokers behind a private CA or a self-signed certificate: the global fetch cannot
 * take a per-request CA, node:https can.
 */
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { FetchLike } from './http.js';

export function tlsFetch(opts: { ca?: string; insecure?: boolean }): FetchLike {
  return async (req) => {
    const url = new URL(req.url);
    if (url.protocol !== 'https:') return fetch(req);
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    return new Promise<Response>((resolve, reject) => {
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      const r = https.request(
        url,
        { method: req.method, headers, ca: opts.ca ? [...rootCertificates, opts.ca] : undefined, rejectUnauthorized: !opts.insecure },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) for (const x of [v ?? []].flat()) h.append(k, x);
            const status = res.statusCode ?? 502;
            resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: h }));
          });
        },
      );
      r.on('error', reject);
      req.signal.addEventListener('abort', () => r.destroy(new Error('aborted')));
      if (body) r.write(body);
      r.end();
    });
  };
}
