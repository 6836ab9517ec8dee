import type { Kernel } from '../../fakes/core/kernel.js';
import { createServiceApp } from '../../fakes/core/service-app.js';
import type { Simulator, SimulatorFactory } from '../../fakes/core/simulator.js';

/** A minimal fake for kernel tests: a counter, an echo, and its own error envelope. */
export function echoFactory(name = 'echo'): SimulatorFactory {
  return {
    name,
    hostLabel: name,
    create: (kernel: Kernel): Simulator<{ count: number; ids: string[] }> => {
      const random = kernel.random.fork(name);
      let state = { count: 0, ids: [] as string[] };
      const app = createServiceApp(kernel, name, (c, status, message) =>
        c.json({ echo_error: message ?? `status ${status}` }, status as 500),
      );
      app.post('/count', (c) => {
        state.count++;
        state.ids.push(random.uuid());
        return c.json({ count: state.count, id: state.ids.at(-1) });
      });
      app.get('/count', (c) => c.json({ count: state.count }));
      app.post('/echo', async (c) => c.json({ got: await c.req.json() }));
      // Like the BOSH director's task protocol: a write answered with a redirect to a GET.
      app.on(['POST', 'PUT'], '/redirect', (c) => c.body(null, 302, { location: '/count' }));
      app.put('/count', (c) => c.json({ put: true }));
      app.get('/refused', () => {
        // A refusal that carries its own response, as Hono's HTTPException does.
        throw Object.assign(new Error('refused'), {
          getResponse: () => new Response('{"echo_error":"not today"}', { status: 409, headers: { 'content-type': 'application/json' } }),
        });
      });
      app.get('/boom', () => {
        throw new Error('secret internals');
      });
      return {
        name,
        app,
        snapshot: () => structuredClone(state),
        restore: (s) => void (state = structuredClone(s)),
        reset: () => void (state = { count: 0, ids: [] }),
      };
    },
  };
}
