import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { toJwk } from '../keys.js';
import type { UaaModel } from '../model.js';

/** `/token_key` (the active key) and `/token_keys` (all of them, for rotation), with ETag / 304. */
export function keyRoutes(app: Hono, model: UaaModel): void {
  const respond = (c: Context, body: unknown): Response => {
    const json = JSON.stringify(body);
    const etag = `"${createHash('sha256').update(json).digest('hex').slice(0, 32)}"`;
    if (c.req.header('if-none-match') === etag) return new Response(null, { status: 304, headers: { etag } });
    return new Response(json, { status: 200, headers: { 'content-type': 'application/json;charset=UTF-8', etag } });
  };
  app.get('/token_key', async (c) => respond(c, await toJwk(model.activeKey)));
  app.get('/token_keys', async (c) => respond(c, { keys: await Promise.all(model.state.keys.map(toJwk)) }));
}
