import { consumes, jsonBody, principal, type BoshApp, type BoshContext, type Director } from '../director.js';
import { BoshError, E } from '../errors.js';
import { canonical } from '../model/names.js';
import { rubyTime } from './configs.js';


const STATUS_FLAG: Record<string, string> = { default: '0', unhealthy: '1', healthy: '3', all: '4' };

export function linkRoutes(app: BoshApp, d: Director): void {
  const deploymentParam = (c: BoshContext) => {
    const name = c.req.query('deployment');
    // Only a missing parameter is "required"; an empty one is looked up (and not found).
    if (name === undefined) throw E.deploymentRequired();
    const dep = d.model.deployment(name);
    if (!dep) throw E.deploymentNotFound(name);
    d.auth.requireOwned(principal(c), 'read', dep.teams);
    return dep;
  };

  app.get('/link_providers', (c) => {
    d.auth.requireDirector(principal(c), 'read_link');
    const dep = deploymentParam(c);
    return c.json(
      dep.link_providers.map((p) => ({
        id: String(p.id),
        name: p.name,
        shared: p.shared,
        deployment: dep.name,
        link_provider_definition: { type: p.type, name: p.original_name },
        owner_object: { type: 'job', name: p.job, info: { instance_group: p.instance_group } },
      })),
    );
  });

  app.get('/link_consumers', (c) => {
    d.auth.requireDirector(principal(c), 'read_link');
    const dep = deploymentParam(c);
    return c.json(
      d.model.state.links
        .filter((l) => l.deployment === dep.name)
        .map((l) => ({ id: String(l.link_consumer_id), deployment: dep.name, instance_group: '', owner_object: { type: 'external', name: l.consumer_name } })),
    );
  });

  const linkJson = (l: (typeof d.model.state.links)[number]) => ({
    id: String(l.id),
    name: l.name,
    link_consumer_id: String(l.link_consumer_id),
    link_provider_id: String(l.link_provider_id),
    created_at: rubyTime(l.created_at),
  });

  app.get('/links', (c) => {
    d.auth.requireDirector(principal(c), 'read_link');
    const dep = deploymentParam(c);
    return c.json(d.model.state.links.filter((l) => l.deployment === dep.name).map(linkJson));
  });

  app.post('/links', async (c) => {
    const miss = consumes(c, 'application/json');
    if (miss) return miss;
    const p = principal(c);
    d.auth.requireDirector(p, 'create_link');
    const body = await jsonBody(c);
    if (body.link_provider_id === undefined) throw new BoshError(400, 810001, 'Invalid request: `link_provider_id` must be provided');
    const owner = ((body.link_consumer as { owner_object?: { name?: unknown; type?: unknown } } | undefined)?.owner_object ?? {}) as { name?: unknown; type?: unknown };
    if (typeof owner.name !== 'string' || owner.name === '') throw new BoshError(400, 810001, 'Invalid request: `link_consumer.owner_object.name` must not be empty');
    if (owner.type !== 'external') throw new BoshError(400, 810001, "Invalid request: `link_consumer.owner_object.type` should be 'external'");
    const pid = Number(body.link_provider_id);
    const found = Object.values(d.model.state.deployments)
      .flatMap((dep) => dep.link_providers.map((lp) => ({ dep, lp })))
      .find((x) => x.lp.id === pid);
    if (!found) throw new BoshError(400, 810001, `Invalid link_provider_id: ${String(body.link_provider_id)}`);
    if (!found.lp.shared) throw new BoshError(403, 810009, 'Provider not `shared`');
    d.auth.requireOwned(p, 'read', found.dep.teams);
    const link = {
      id: d.model.nextId('link'),
      name: found.lp.name,
      link_provider_id: pid,
      link_consumer_id: d.model.nextId('link_consumer'),
      deployment: found.dep.name,
      consumer_name: owner.name,
      created_at: d.kernel.clock.now(),
    };
    d.model.state.links.push(link);
    return c.json(linkJson(link));
  });

  app.delete('/links/:id', (c) => {
    d.auth.requireDirector(principal(c), 'delete_link');
    const id = Number(c.req.param('id'));
    const link = d.model.state.links.find((l) => l.id === id);
    if (!link) throw new BoshError(404, 810000, `Could not find a link with id ${c.req.param('id')}`);
    d.model.state.links = d.model.state.links.filter((l) => l !== link);
    return c.body(null, 204);
  });

  app.get('/link_address', (c) => {
    d.auth.requireDirector(principal(c), 'read_link');
    const raw = c.req.query('link_id');
    if (raw === undefined) throw new BoshError(400, 810000, 'Link id is required');
    // Sinatra makes `azs[]=` an array and `azs=` a string; only the array form is accepted.
    const azList = c.req.queries('azs[]');
    if (c.req.query('azs') !== undefined) throw new BoshError(400, 810008, '`azs` param must be array type: `azs[]=`');
    const known = [...d.model.cloud().azs];
    for (const az of azList ?? []) if (!known.includes(az)) throw new BoshError(400, 810008, `az ${az} is not valid`);
    const status = c.req.query('status') ?? 'default';
    if (!Object.hasOwn(STATUS_FLAG, status)) throw new BoshError(400, 810007, `status must be a one of: ["healthy", "unhealthy", "all", "default"]`);
    const link = d.model.state.links.find((l) => l.id === Number(raw));
    if (!link) throw new BoshError(404, 810000, `Could not find a link with id ${raw}`);
    const dep = d.model.deployment(link.deployment);
    const lp = dep?.link_providers.find((x) => x.id === link.link_provider_id);
    if (!dep || !lp) throw new BoshError(404, 810000, `Could not find a link with id ${raw}`);
    d.auth.requireOwned(principal(c), 'read', dep.teams);
    const azFlag = (azList ?? []).map((a) => `a${known.indexOf(a) + 1}`).join('');
    return c.json({ address: `q-${azFlag}s${STATUS_FLAG[status]}.${canonical(lp.instance_group)}.${canonical(lp.network)}.${canonical(dep.name)}.bosh` });
  });
}
