import { consumes, jsonBody, principal, type BoshApp, type BoshContext, type Director } from '../director.js';
import { BoshError, E } from '../errors.js';
import { LINK_STATUS, linkAddress } from '../model/links.js';
import { rubyTime } from './configs.js';

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
    const request = d.model.links.check(await jsonBody(c));
    d.auth.requireOwned(p, 'read', request.deployment.teams);
    return c.json(linkJson(d.model.links.add(request)));
  });

  app.delete('/links/:id', (c) => {
    d.auth.requireDirector(principal(c), 'delete_link');
    d.model.links.delete(c.req.param('id'));
    return c.body(null, 204);
  });

  app.get('/link_address', (c) => {
    d.auth.requireDirector(principal(c), 'read_link');
    const raw = c.req.query('link_id');
    if (raw === undefined) throw new BoshError(400, 810006, 'Link id is required');
    // Sinatra makes `azs[]=` an array and `azs=` a string; only the array form is accepted.
    const azList = c.req.queries('azs[]') ?? [];
    if (c.req.query('azs') !== undefined) throw new BoshError(400, 810008, '`azs` param must be array type: `azs[]=`');
    const known = [...d.model.cloud().azs];
    for (const az of azList) if (!known.includes(az)) throw new BoshError(400, 810008, `az ${az} is not valid`);
    const status = c.req.query('status') ?? 'default';
    if (!Object.hasOwn(LINK_STATUS, status)) throw new BoshError(400, 810007, `status must be a one of: ["healthy", "unhealthy", "all", "default"]`);
    const { link, deployment: dep, provider: lp } = d.model.links.target(raw);
    d.auth.requireOwned(principal(c), 'read', dep.teams);
    const short = link.use_short_dns_addresses ? { network: d.model.dnsNetworkId(lp.network), group: d.model.dnsGroupId(dep.name, lp.instance_group) } : null;
    const azIds = azList.map((a) => known.indexOf(a) + 1);
    return c.json({ address: linkAddress({ azIds, status: LINK_STATUS[status], short, group: lp.instance_group, network: lp.network, deployment: dep.name }) });
  });
}
