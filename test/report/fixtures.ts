import type { CaseResult, JournalEntry, RunResult, TraceStep } from '../../report/index.js';

let seq = 0;

/** A journal entry as the fakes record it, with only what a test cares about given. */
export function entry(p: Partial<JournalEntry> & Pick<JournalEntry, 'service' | 'method' | 'path' | 'status' | 'wallTime'>): JournalEntry {
  return {
    seq: ++seq,
    query: {},
    requestHeaders: {},
    requestBody: null,
    responseHeaders: {},
    responseBody: null,
    virtualTime: Date.UTC(2026, 0, 1),
    virtualEndTime: Date.UTC(2026, 0, 1),
    wallDurationMs: 0,
    faults: [],
    direction: 'inbound',
    tags: [],
    ...p,
  };
}

/** A provision as ODB does it: CC's PUT contains the broker's token fetch, adapter call and deploy. */
export function provisionTrace(): { journal: JournalEntry[]; steps: TraceStep[] } {
  const id = '4f1c2b9e-1111-2222-3333-444455556666';
  const token = entry({ service: 'uaa', method: 'POST', path: '/oauth/token', status: 200, wallTime: 1001, wallDurationMs: 1, responseBody: '{"access_token":"x","token_type":"bearer"}' });
  const deploy = entry({ service: 'bosh', method: 'POST', path: '/deployments', status: 302, wallTime: 1004, wallDurationMs: 1, responseHeaders: { location: 'https://bosh.f1.fakefoundry.test/tasks/7' } });
  const put = entry({
    service: 'cc->broker',
    direction: 'outbound',
    method: 'PUT',
    path: `/v2/service_instances/${id}`,
    query: { accepts_incomplete: 'true' },
    // Large enough to be written once per report and filled in when the request opens.
    requestBody: JSON.stringify({ service_id: 's', plan_id: 'p', parameters: { notes: Array.from({ length: 40 }, (_, i) => `note ${i}: a line of text`) } }),
    requestHeaders: { 'content-type': 'application/json', authorization: 'Basic ***' },
    status: 202,
    responseBody: '{"operation":"provision"}',
    responseHeaders: { 'content-type': 'application/json' },
    wallTime: 1000,
    wallDurationMs: 6,
  });
  const polls = [0, 1, 2].map((i) =>
    entry({ service: 'cc->broker', direction: 'outbound', method: 'GET', path: `/v2/service_instances/${id}/last_operation`, status: 200, responseBody: '{"state":"in progress"}', wallTime: 1010 + i * 2, wallDurationMs: 1 }),
  );
  const done = entry({ service: 'cc->broker', direction: 'outbound', method: 'GET', path: `/v2/service_instances/${id}/last_operation`, status: 200, responseBody: '{"state":"succeeded"}', wallTime: 1020, wallDurationMs: 1 });
  const steps: TraceStep[] = [{ kind: 'adapter', from: 'broker', to: 'adapter', label: 'generate-manifest', reply: 'exit 0', ok: true, wallTime: 1002, wallDurationMs: 1 }];
  // The journal records an entry when it is answered: inner calls first.
  return { journal: [token, deploy, put, ...polls, done].sort((a, b) => a.wallTime + a.wallDurationMs - (b.wallTime + b.wallDurationMs)), steps };
}

export function sampleRun(): RunResult {
  const trace = provisionTrace();
  const cases: CaseResult[] = [
    { id: 'lifecycle/provision', title: 'provision a small instance', suite: 'lifecycle', outcome: 'passed', duration: 42, tags: ['area:lifecycle', 'osb:2.13'], ...trace },
    {
      id: 'lifecycle/bind',
      title: 'bind <app> & "friends"',
      suite: 'lifecycle',
      outcome: 'failed',
      duration: 17,
      tags: ['area:lifecycle'],
      message: 'expected status 201, got 500',
      details: 'AssertionError: expected 500 to be 201\n    at scenarios/lifecycle.scenario.ts:12',
      spec: { section: 'Binding', level: 'MUST' },
      reproduction: 'fakefoundry run lifecycle -t "bind"',
      ...trace,
    },
    { id: 'errands/post-deploy', title: 'post-deploy errand', suite: 'errands', outcome: 'not-applicable', duration: 0, tags: [], message: 'target url has no errand commands' },
    { id: 'quotas/global', title: 'global quota', suite: 'quotas', outcome: 'warned', duration: 3, tags: [], message: 'SHOULD return 422 with a description' },
    { id: 'x/skipped', title: 'skipped one', suite: 'x', outcome: 'skipped', duration: 0, tags: [] },
  ];
  return { tool: 'scenarios', title: 'fakefoundry scenarios', started: '2026-01-01T00:00:00.000Z', duration: 1234, meta: { target: 'embedded' }, cases };
}
