import { http, HttpResponse, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { RESET_HEADER } from './service-app.js';

/**
 * One msw interceptor per process, shared by every in-process foundation: msw patches globals, so
 * two setupServer instances would fight. Each foundation registers its own origins
 * (`https://uaa.<id>.fakefoundry.test`), which is how several foundations coexist in one process.
 */
export type Unhandled = 'bypass' | 'error';

export const IN_PROCESS_DOMAIN = 'fakefoundry.test';

interface Route {
  fetch: (req: Request) => Response | Promise<Response>;
  owner: symbol;
}

interface Owner {
  unhandled: Unhandled;
}

class InProcessNetwork {
  #server: ReturnType<typeof setupServer> | undefined;
  #routes = new Map<string, Route>();
  #owners = new Map<symbol, Owner>();

  register(owner: symbol, origins: Record<string, Route['fetch']>, unhandled: Unhandled): void {
    this.#owners.set(owner, { unhandled });
    for (const [origin, fetch] of Object.entries(origins)) {
      const key = new URL(origin).origin;
      if (this.#routes.has(key)) throw new Error(`in-process origin ${key} is already mounted`);
      this.#routes.set(key, { fetch, owner });
    }
    this.#ensureServer();
  }

  unregister(owner: symbol): void {
    for (const [origin, route] of this.#routes) if (route.owner === owner) this.#routes.delete(origin);
    this.#owners.delete(owner);
    if (this.#owners.size === 0 && this.#server) {
      this.#server.close();
      this.#server = undefined;
    }
  }

  get active(): boolean {
    return this.#server !== undefined;
  }

  #strict(): boolean {
    for (const o of this.#owners.values()) if (o.unhandled === 'error') return true;
    return false;
  }

  #ensureServer(): void {
    if (this.#server) return;
    const server = setupServer(
      http.all('*', async ({ request }) => {
        const url = new URL(request.url);
        const route = this.#routes.get(url.origin);
        if (!route) {
          // Our reserved domain with nobody mounted is a closed port, not the internet.
          if (url.hostname.endsWith(`.${IN_PROCESS_DOMAIN}`)) return HttpResponse.error();
          if (this.#strict()) return HttpResponse.error();
          return passthrough();
        }
        const res = await route.fetch(request);
        if (res.headers.get(RESET_HEADER)) return HttpResponse.error();
        return res;
      }),
    );
    server.listen({ onUnhandledRequest: 'bypass' });
    this.#server = server;
  }
}

export const inProcessNetwork = new InProcessNetwork();
