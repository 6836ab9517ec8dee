/**
 * Checks over every exchange of the run, made after the others: error bodies, content type,
 * request identity, characters of the operations the broker returned.
 */
import { isObject } from '../catalog-types.js';
import { spec } from '../citations.js';
import type { Exchange } from '../model.js';
import type { RunContext } from '../run-context.js';
import { errorBodyProblems, type Operation } from '../validate.js';

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

function operationOf(e: Exchange): Operation {
  const p = e.path;
  if (p.endsWith('/v2/catalog')) return 'catalog';
  if (p.endsWith('/last_operation')) return 'last-operation';
  const binding = p.includes('/service_bindings/');
  if (e.method === 'GET') return binding ? 'fetch-binding' : 'fetch-instance';
  if (e.method === 'PATCH') return 'update';
  if (e.method === 'PUT') return binding ? 'bind' : 'provision';
  return binding ? 'unbind' : 'deprovision';
}

function asReply(e: Exchange) {
  const text = e.responseBody ?? '';
  let json: unknown;
  let invalidJson = false;
  try {
    json = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    invalidJson = true;
  }
  return { status: e.status, headers: new Headers(e.responseHeaders), text, json, invalidJson, timedOut: false, exchange: e };
}

export async function observerChecks(run: RunContext): Promise<void> {
  const e = run.engine;
  const all = run.http.exchanges.filter((x) => x.status > 0);

  await e.run(
    {
      id: 'ERR-01',
      also: ['ERR-02', 'DEP-09'],
      title: 'every error body is a JSON object with a CamelCase `error` and a non-empty `description` (when present)',
      since: '2.13',
      tags: ['errors'],
      citation: spec('service-broker-errors', 'MUST', 'error bodies are JSON objects; `error` is a single CamelCase word, `description` a non-empty string; instance_usable/update_repeatable only for update/deprovision errors.'),
    },
    (t) => {
      let n = 0;
      for (const x of all) {
        if (x.status < 400) continue;
        n++;
        for (const p of errorBodyProblems(asReply(x) as never, operationOf(x))) t.fail(`${x.method} ${x.path} → ${p.message}`, p.citation, x);
      }
      t.note(`${n} error response(s) checked`);
    },
  );

  await e.run(
    {
      id: 'CT-01',
      title: 'responses with a body carry Content-Type: application/json',
      since: '2.14',
      tags: ['headers'],
      citation: spec('content-type', 'SHOULD', 'all responses with bodies SHOULD contain a Content-Type header set to application/json.'),
    },
    (t) => {
      const bad = all.filter((x) => (x.responseBody ?? '') !== '' && !/^application\/json\b/i.test(x.responseHeaders['content-type'] ?? ''));
      for (const x of bad.slice(0, 10)) t.fail(`${x.method} ${x.path} answered ${x.status} with Content-Type ${JSON.stringify(x.responseHeaders['content-type'] ?? null)}`, undefined, x);
      if (bad.length > 10) t.fail(`… and ${bad.length - 10} more responses`);
    },
  );

  await e.run(
    {
      id: 'HDR-03',
      title: 'responses echo X-Broker-API-Request-Identity',
      since: '2.15',
      tags: ['headers'],
      citation: spec('request-identity', 'SHOULD', 'the Service Broker SHOULD include the X-Broker-API-Request-Identity header in the response to the request.'),
    },
    (t) => {
      const sent = all.filter((x) => x.requestHeaders['x-broker-api-request-identity']);
      if (sent.length === 0) t.notApplicable('the suite sent no request identity');
      const missing = sent.filter((x) => x.responseHeaders['x-broker-api-request-identity'] !== x.requestHeaders['x-broker-api-request-identity']);
      if (missing.length) t.fail(`${missing.length} of ${sent.length} responses did not echo the request identity (first: ${missing[0].method} ${missing[0].path})`, undefined, missing[0]);
    },
  );

  await e.run(
    {
      id: 'URL-01',
      title: '`operation` values the broker returns use only URL-unreserved characters',
      since: '2.13',
      tags: ['async'],
      citation: spec('url-properties', 'SHOULD', 'it is RECOMMENDED that operation (like the ids) only contain RFC 3986 unreserved characters; the suite percent-encodes them either way.'),
    },
    (t) => {
      const ops = all.filter((x) => x.status === 202).map((x) => {
        try {
          const b = JSON.parse(x.responseBody ?? '');
          return isObject(b) && typeof b.operation === 'string' ? { op: b.operation, x } : undefined;
        } catch {
          return undefined;
        }
      }).filter((o): o is { op: string; x: Exchange } => o !== undefined);
      if (ops.length === 0) t.notApplicable('the broker returned no operation values');
      for (const { op, x } of ops) if (!UNRESERVED.test(op)) t.fail(`operation ${JSON.stringify(op.slice(0, 60))} has characters outside the unreserved set`, undefined, x);
      t.note(`${ops.length} operation value(s), all sent back percent-encoded`);
    },
  );
}
