import { expect, it } from 'vitest';
import { Foundation } from '../../fakes/foundation.js';
import type { BoshSimulator } from '../../fakes/bosh/index.js';
import { RELEASE, STEMCELL, manifest } from './helpers.js';

const PATHS = [
  '/info', '/deployments', '/deployments/d', '/deployments/d/diff', '/deployments/d/vms', '/deployments/d/instances', '/deployments/d/errands',
  '/deployments/d/errands/smoke-tests/runs', '/deployments/d/jobs/*', '/deployments/d/jobs/redis-server/0', '/deployments/d/jobs/redis-server/zz',
  '/deployments/d/instance_groups/redis-server/0/actions/stop', '/deployments/d/instance_groups/redis-server/:id/actions/stop',
  '/deployments/d/instance_groups/redis-server/0/ignore', '/deployments/d/instance_groups/redis-server/:id/ignore', '/deployments/d/variables',
  '/deployments/d/jobs/redis-server/0/logs', '/deployments/d/certificate_expiry', '/tasks', '/tasks/1', '/tasks/1/output', '/task/1', '/tasks/cancel',
  '/configs', '/configs/1', '/configs/diff', '/cloud_configs', '/cloud_configs/diff', '/runtime_configs', '/cpi_configs', '/releases', '/releases/redis',
  '/stemcells', '/stemcells/x/1', '/stemcell_uploads', '/packages/matches', '/locks', '/events', '/events/1', '/link_providers', '/link_consumers',
  '/links', '/links/1', '/link_address', '/director/certificate_expiry', '/resources/x', '/deployments/ghost', '/tasks/99999', '/tasks/abc/output',
];
const BODIES: [string | undefined, string | undefined][] = [
  ['application/json', '{'],
  ['application/json', '[]'],
  ['application/json', 'null'],
  ['application/json', '{"states":"x","types":5,"instances":"x","ignore":"x","location":5,"link_provider_id":{},"link_consumer":5,"from":{"id":{}},"to":5,"type":[],"name":{},"content":[],"action":{},"context":7}'],
  ['text/yaml', '{{{'],
  ['text/yaml', ''],
  ['text/yaml', '- a\n- b'],
  ['text/yaml', '&a [*a]'],
  ['multipart/form-data; boundary=xx', 'garbage'],
  ['multipart/form-data', 'garbage'],
  ['application/x-compressed', 'garbage'],
  [undefined, undefined],
];
const QUERIES = [
  '',
  '?state=%ff&limit=abc&verbose=zz&format=full&type=zz&latest=zz&link_id=abc&deployment=%00&before_time=zz&after_time=1e99&before_id=x&azs[]=q&status=zz&context=%7B',
  '?limit=-5&deployment=d&type=result&name=x&version=zz&link_id=999&context=%7B%22cloud_config_ids%22%3A%5B%22x%22%5D%7D',
];

/** The state a refused request must leave alone (a failed legacy config update records an event, as the director does). */
const durable = (b: BoshSimulator) => {
  const { events: _e, ids, ...rest } = b.model.state;
  const { event: _id, ...otherIds } = ids;
  return JSON.stringify({ ...rest, ids: otherIds });
};

it('answers garbage on every route without a 5xx, and a refused request changes nothing', async () => {
  const f = await Foundation.create({ seed: 'garbage', config: { bosh: { auth: { type: 'basic' } } } });
  try {
    const bosh = f.service<BoshSimulator>('bosh');
    bosh.control.seedRelease(RELEASE);
    bosh.control.seedStemcell(STEMCELL);
    // Routes that look instances up by id get the real one, so the checks behind the lookup run.
    const id = bosh.control.createDeployment(manifest('d')).instances[0].id;
    const auth = 'Basic ' + Buffer.from('admin:admin').toString('base64');
    const bad: string[] = [];
    let answered = 0;
    let before = durable(bosh);
    for (const p of PATHS.map((x) => x.replace(':id', id))) for (const m of ['GET', 'POST', 'PUT', 'DELETE']) for (const q of QUERIES) for (const [ct, body] of BODIES) {
      if ((m === 'GET' || m === 'DELETE') && body !== undefined) continue;
      const headers: Record<string, string> = { authorization: auth };
      if (ct) headers['content-type'] = ct;
      const res = await bosh.app.request(`https://bosh.test${p}${q}`, { method: m, headers, body });
      const text = await res.text();
      answered++;
      const what = `${m} ${p}${q} [${ct}] ${JSON.stringify(body)} -> ${res.status}`;
      if (res.status >= 500) bad.push(`${what} ${text.slice(0, 120)}`);
      // The state after one request is the state before the next (the clock stands still in the loop).
      const after = durable(bosh);
      if (res.status >= 400 && after !== before) bad.push(`${what} changed the state`);
      before = after;
      if (!res.headers.get('date')) bad.push(`${what} has no Date`);
    }
    // Let every task the garbage started run to its end: none may crash the engine.
    await f.clock.advance(10 * 60_000);
    const stuck = bosh.control.tasks().filter((t) => ['queued', 'processing', 'cancelling'].includes(t.state));
    expect({ bad, stuck: stuck.map((t) => t.id) }).toEqual({ bad: [], stuck: [] });
    expect(answered).toBeGreaterThan(3000);
  } finally {
    await f.close();
  }
}, 120_000);
