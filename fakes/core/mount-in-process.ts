import { getRawRequest } from '@mswjs/interceptors';
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

  /** Registers more origins for an owner; `unhandled` is set on its first registration only. */
  register(owner: symbol, origins: Record<string, Route['fetch']>, unhandled?: Unhandled): void {
    if (!this.#owners.has(owner)) this.#owners.set(owner, { unhandled: unhandled ?? 'bypass' });
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

  /**
   * Over the network, fetch (undici) follows redirects itself. msw's own follower refuses any
   * 301/302 to a request that had a body (a BOSH `POST /deployments` → `302 /tasks/N`), so for
   * fetch requests in `follow` mode we follow here, by undici's rules. node:http clients (they
   * carry a raw request) never follow, and `redirect: 'manual'` callers see the 302 as it is.
   */
  async #dispatch(route: Route, request: Request): Promise<Response | undefined> {
    if (getRawRequest(request) !== undefined || request.redirect !== 'follow') return route.fetch(request);
    let body = request.body !== null ? await request.clone().arrayBuffer() : undefined;
    let current = request;
    let target = route;
    for (let hops = 0; hops <= 20; hops++) {
      const res = await target.fetch(current);
      const location = res.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(res.status) || !location || res.headers.get(RESET_HEADER)) return res;
      const from = new URL(current.url);
      const to = new URL(location, from);
      const next = this.#routes.get(to.origin);
      if (!next) return res;
      let method = current.method;
      const headers = new Headers(current.headers);
      if (((res.status === 301 || res.status === 302) && method === 'POST') || (res.status === 303 && method !== 'GET' && method !== 'HEAD')) {
        method = 'GET';
        body = undefined;
        for (const h of ['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length']) headers.delete(h);
      }
      if (to.origin !== from.origin) for (const h of ['authorization', 'proxy-authorization', 'cookie', 'host']) headers.delete(h);
      current = new Request(to, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body, redirect: 'follow' });
      target = next;
    }
    return undefined; // undici: "redirect count exceeded" is a network error
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
        const res = await this.#dispatch(route, request);
        if (!res || res.headers.get(RESET_HEADER)) return HttpResponse.error();
        return res;
      }),
    );
    server.listen({ onUnhandledRequest: 'bypass' });
    this.#server = server;
  }
}

export const inProcessNetwork = new InProcessNetwork();
