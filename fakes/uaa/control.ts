import { Hono } from 'hono';
import { toJwk } from './keys.js';
import type { UaaModel } from './model.js';

/**
 * `/_fakefoundry/uaa/*`: what a test or a person drives that UAA itself has no API for.
 * - `GET keys`: every signing key (public part) and which is active.
 * - `POST keys/rotate` (`{"kid"?: string}`): a new active key; older keys stay listed, so their tokens still verify.
 * - `DELETE keys/:kid`: stop listing a retired key; tokens it signed stop verifying. The active key cannot go.
 */
export function uaaControlRoutes(model: UaaModel): Hono {
  const app = new Hono();
  const view = async () => ({
    active: model.activeKey.kid,
    keys: await Promise.all(model.state.keys.map(async (k) => ({ ...(await toJwk(k)), active: k.active, created_at: new Date(k.createdAt).toISOString() }))),
  });

  app.get('/keys', async (c) => c.json(await view()));

  app.post('/keys/rotate', async (c) => {
    let kid: string | undefined;
    const text = await c.req.text();
    if (text.trim()) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return c.json({ error: 'body must be JSON: {"kid"?: string}' }, 400);
      }
      const k = (body as { kid?: unknown } | null)?.kid;
      if (k !== undefined && (typeof k !== 'string' || !/^[\w.-]{1,64}$/.test(k))) return c.json({ error: 'kid must be 1-64 letters, digits, _ . -' }, 400);
      kid = k as string | undefined;
    }
    if (kid && model.state.keys.some((k) => k.kid === kid)) return c.json({ error: `a key with id '${kid}' exists` }, 409);
    const key = model.rotateKey(kid);
    return c.json({ kid: key.kid, ...(await view()) }, 201);
  });

  app.delete('/keys/:kid', (c) => {
    const kid = c.req.param('kid');
    const key = model.state.keys.find((k) => k.kid === kid);
    if (!key) return c.json({ error: `no key '${kid}'` }, 404);
    if (key.active) return c.json({ error: `'${kid}' is the active key; rotate first` }, 409);
    model.removeKey(kid);
    return c.body(null, 204);
  });

  return app;
}
