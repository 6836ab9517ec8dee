import { consumes, deploymentFor, jsonBody, startTask, type BoshApp, type Director } from '../director.js';
import { vmSummary } from '../model/vminfo.js';
import { rubyTruthy } from '../ruby.js';

export function instanceRoutes(app: BoshApp, d: Director): void {
  app.get('/deployments/:name/vms', (c) => {
    const dep = deploymentFor(d, c, 'read');
    if (c.req.query('format') === 'full') {
      return startTask(d, c, { type: 'vms', description: 'retrieve vm-stats', deployment: dep.name, teams: dep.teams, payload: { instances: false } });
    }
    return c.json(dep.instances.filter((i) => i.vm_cid !== null).map((i) => vmSummary(i, false)));
  });

  app.get('/deployments/:name/instances', (c) => {
    const dep = deploymentFor(d, c, 'read');
    if (c.req.query('format') === 'full') {
      return startTask(d, c, { type: 'vms', description: 'retrieve vm-stats', deployment: dep.name, teams: dep.teams, payload: { instances: true } });
    }
    return c.json(dep.instances.map((i) => vmSummary(i, true)));
  });

  app.get('/deployments/:name/errands', (c) => {
    const dep = deploymentFor(d, c, 'read');
    return c.json(dep.errands.map((e) => ({ name: e.name })));
  });

  app.post('/deployments/:name/errands/:errand/runs', async (c) => {
    const miss = consumes(c, 'application/json');
    if (miss) return miss;
    const dep = deploymentFor(d, c, 'admin');
    const body = await jsonBody(c);
    const errand = c.req.param('errand');
    const instances = Array.isArray(body.instances)
      ? body.instances
          .filter((x): x is Record<string, unknown> => !!x && typeof x === 'object')
          .map((x) => ({ group: String(x.group ?? ''), ...(x.id !== undefined && x.id !== null ? { id: String(x.id) } : {}) }))
      : [];
    return startTask(d, c, {
      type: 'run_errand',
      description: `run errand ${errand} from deployment ${dep.name}`,
      deployment: dep.name,
      teams: dep.teams,
      payload: { errand, keep_alive: rubyTruthy(body['keep-alive']), when_changed: rubyTruthy(body['when-changed']), instances },
    });
  });

  app.put('/deployments/:name/instance_groups/:ig/:id/ignore', async (c) => {
    const miss = consumes(c, 'application/json');
    if (miss) return miss;
    const dep = deploymentFor(d, c, 'admin');
    const body = await jsonBody(c);
    d.model.setIgnore(dep, c.req.param('ig'), c.req.param('id'), body.ignore);
    return c.body(null, 200);
  });

  app.get('/deployments/:name/jobs/:job/:index_or_id/logs', (c) => {
    const dep = deploymentFor(d, c, 'admin');
    return startTask(d, c, { type: 'fetch_logs', description: 'fetch logs', deployment: dep.name, teams: dep.teams });
  });

  // Removed from the director, but still behind the deployment lookup and its admin check.
  app.put('/deployments/:name/jobs/:job/:id/resurrection', (c) => {
    deploymentFor(d, c, 'admin');
    return c.text('This endpoint has been removed.', 410);
  });
}
