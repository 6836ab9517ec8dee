/**
 * Test files share their worker (`isolate: false`). @hono/node-server's `serve()`, which some
 * tests use for a stand-in broker, replaces the global Request and Response with its own classes;
 * msw and fetch in the next file would meet those. So every file starts with the platform's.
 */
const g = globalThis as Record<string, unknown>;
const KEY = '__fakefoundryPlatformGlobals';
g[KEY] ??= { Request: g.Request, Response: g.Response };
for (const [name, value] of Object.entries(g[KEY] as Record<string, unknown>)) {
  if (g[name] !== value) Object.defineProperty(g, name, { value });
}
