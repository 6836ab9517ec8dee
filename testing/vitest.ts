/**
 * fakefoundry for vitest: `import { test, expect } from 'fakefoundry/vitest'`.
 *
 * - `test` is vitest's `test` with a `foundation` fixture: a fresh {@link Foundation} for each test
 *   that uses it, mounted in-process (no ports), on a virtual clock, closed when the test ends.
 * - Importing this module adds matchers to vitest's `expect`: `toHaveDeployment`,
 *   `toHaveServiceInstance` and `toHaveJournalEntry`.
 *
 * ```ts
 * import { test, expect } from 'fakefoundry/vitest';
 *
 * test('provisions', async ({ foundation: f }) => {
 *   // ... drive your broker against f.urls, move time with f.clock.advance(ms) ...
 *   expect(f).toHaveDeployment('service-instance_1234', ['redis']);
 *   expect(f).toHaveServiceInstance('db', { type: 'create', state: 'succeeded' });
 *   expect(f).toHaveJournalEntry({ service: 'cc->broker', method: 'PUT', path: '/v2/service_instances/*' });
 * });
 * ```
 *
 * @module
 */
import { expect, test as base } from 'vitest';
import { reusedKeys } from '../fakes/core/keys.js';
import type { JournalEntry, JournalQuery } from '../fakes/core/journal.js';
import { Foundation, type FoundationOptions } from '../fakes/foundation.js';

export { expect };
export { Foundation, type FoundationOptions };

export interface FoundationFixtures {
  /**
   * Options for the test's foundation; override them for a file or a describe block with
   * `const myTest = test.extend({ foundationOptions: { config: {...} } })`. The defaults: a seed
   * made from the test's name, a virtual clock, and RSA keys reused across the foundations of the
   * worker (making keys is most of a foundation's start-up; pass `keys: freshKeys()` to test isolation).
   */
  foundationOptions: FoundationOptions;
  /** A fresh foundation, mounted in-process at `foundation.urls`, closed after the test. */
  foundation: Foundation;
}

export const test = base.extend<FoundationFixtures>({
  foundationOptions: {},
  foundation: async ({ foundationOptions, task }, use) => {
    const f = await Foundation.create({ seed: task.fullName, clockMode: 'virtual', keys: reusedKeys(), ...foundationOptions });
    try {
      f.mountInProcess();
      await use(f);
    } finally {
      await f.close();
    }
  },
});

/** The same as {@link test}. */
export const it = test;

/** What {@link Matchers.toHaveJournalEntry} looks for: a journal query, plus the request's body and query. */
export interface JournalEntryExpectation extends Omit<JournalQuery, 'since' | 'limit'> {
  /** The request body (parsed when it is JSON) equals this; asymmetric matchers such as `expect.objectContaining` work. */
  requestBody?: unknown;
  /** The request's query parameters equal this (asymmetric matchers work). */
  query?: Record<string, unknown>;
}

/** The last operation of a CC service instance, or part of it. */
export interface LastOperationExpectation {
  type?: 'create' | 'update' | 'delete';
  state?: 'initial' | 'in progress' | 'succeeded' | 'failed';
  description?: unknown;
}

export interface FoundationMatchers<R = unknown> {
  /**
   * The fake BOSH director has a deployment of this name, deployed with these instance groups
   * (the manifest's order; `expect.arrayContaining([...])` for some of them).
   */
  toHaveDeployment(name: string, instanceGroups?: unknown): R;
  /** The fake Cloud Controller has a service instance of this name (or guid) whose last operation is this (or includes this). */
  toHaveServiceInstance(nameOrGuid: string, lastOperation?: LastOperationExpectation): R;
  /** The journal holds a request like this: service, method, path (exact, or a prefix ending in `*`), status, tag, body, query. */
  toHaveJournalEntry(expected: JournalEntryExpectation): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends FoundationMatchers<T> {}
}

function asFoundation(received: unknown, matcher: string): Foundation {
  if (!(received instanceof Foundation)) throw new TypeError(`${matcher}: expected a Foundation, got ${typeof received}`);
  return received;
}

function parsedBody(entry: JournalEntry): unknown {
  if (entry.requestBody === null) return undefined;
  try {
    return JSON.parse(entry.requestBody);
  } catch {
    return entry.requestBody;
  }
}

const brief = (e: JournalEntry) => `#${e.seq} ${e.service} ${e.method} ${e.path} → ${e.status}`;

expect.extend({
  toHaveDeployment(received: unknown, name: string, instanceGroups?: unknown) {
    const f = asFoundation(received, 'toHaveDeployment');
    const deployments = f.bosh.model.state.deployments;
    const d = Object.hasOwn(deployments, name) ? deployments[name] : undefined;
    const groups = d ? (d.instance_groups?.map((g) => g.name) ?? [...new Set(d.instances.map((i) => i.group))]) : undefined;
    const deployed = d !== undefined && d.manifest_text !== null;
    const pass = deployed && (instanceGroups === undefined || this.equals(groups, instanceGroups));
    return {
      pass,
      message: () => {
        if (this.isNot) return `expected no deployment '${name}'${instanceGroups === undefined ? '' : ` with instance groups ${this.utils.printExpected(instanceGroups)}`}`;
        if (!d) return `expected a deployment '${name}'; the director has ${Object.keys(deployments).map((n) => `'${n}'`).join(', ') || 'none'}`;
        if (!deployed) return `expected deployment '${name}' to be deployed, but it has no manifest (its deploy failed or never ran)`;
        return `expected deployment '${name}' to have instance groups ${this.utils.printExpected(instanceGroups)}, it has ${this.utils.printReceived(groups)}`;
      },
      actual: groups,
      expected: instanceGroups,
    };
  },

  toHaveServiceInstance(received: unknown, nameOrGuid: string, lastOperation?: LastOperationExpectation) {
    const f = asFoundation(received, 'toHaveServiceInstance');
    const all = f.cc.model.all('instances');
    const inst = all.find((i) => i.guid === nameOrGuid) ?? all.find((i) => i.name === nameOrGuid);
    const actual = inst?.last_operation ? { type: inst.last_operation.type, state: inst.last_operation.state, description: inst.last_operation.description } : null;
    const pass = inst !== undefined && (lastOperation === undefined || (actual !== null && this.equals(actual, expect.objectContaining(lastOperation))));
    return {
      pass,
      message: () => {
        if (this.isNot) return `expected no service instance '${nameOrGuid}'${lastOperation ? ` with last operation ${this.utils.printExpected(lastOperation)}` : ''}`;
        if (!inst) return `expected a service instance '${nameOrGuid}'; CC has ${all.map((i) => `'${i.name}'`).join(', ') || 'none'}`;
        return `expected service instance '${nameOrGuid}' to have last operation ${this.utils.printExpected(lastOperation)}, it has ${this.utils.printReceived(actual)}`;
      },
      actual,
      expected: lastOperation,
    };
  },

  toHaveJournalEntry(received: unknown, expected: JournalEntryExpectation) {
    const f = asFoundation(received, 'toHaveJournalEntry');
    const { requestBody, query, ...q } = expected;
    const candidates = f.journal.query(q);
    const hits = candidates.filter(
      (e) => (requestBody === undefined || this.equals(parsedBody(e), requestBody)) && (query === undefined || this.equals(e.query, query)),
    );
    return {
      pass: hits.length > 0,
      message: () => {
        if (this.isNot) return `expected no journal entry like ${this.utils.printExpected(expected)}; found ${hits.map(brief).join(', ')}`;
        const near = (candidates.length ? candidates : f.journal.query({ service: q.service })).slice(-5);
        return `expected a journal entry like ${this.utils.printExpected(expected)}; ${candidates.length} matched the query but not the body or query parameters. The last of ${candidates.length ? 'those' : `service '${q.service ?? '*'}'`}: ${near.map(brief).join(', ') || 'none'}`;
      },
    };
  },
});
