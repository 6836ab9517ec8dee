/** Catalog checks (checklist D.2): fetch, required fields, uniqueness, types, schemas, stability. */
import { isObject, type Catalog, type CatalogService, type PlanTarget } from '../catalog-types.js';
import { cf, profile, spec } from '../citations.js';
import type { CaseContext } from '../engine.js';
import { describeReply } from '../http.js';
import type { RunContext } from '../run-context.js';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const CLI_FRIENDLY = /^[A-Za-z0-9.-]+$/;
const REQUIRES = ['syslog_drain', 'route_forwarding', 'volume_mount'];

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

function services(catalog: unknown): unknown[] {
  return isObject(catalog) && Array.isArray(catalog.services) ? catalog.services : [];
}

function label(s: unknown, i: number): string {
  return isObject(s) && nonEmpty(s.name) ? `service "${s.name}"` : `services[${i}]`;
}

function plansOf(s: unknown): unknown[] {
  return isObject(s) && Array.isArray(s.plans) ? s.plans : [];
}

function planLabel(s: unknown, i: number, p: unknown, j: number): string {
  return `${label(s, i)} ${isObject(p) && nonEmpty(p.name) ? `plan "${p.name}"` : `plans[${j}]`}`;
}

export async function catalogChecks(run: RunContext): Promise<Catalog | undefined> {
  const e = run.engine;
  let raw: unknown;
  await e.run(
    {
      id: 'CAT-01',
      title: 'GET /v2/catalog answers 200 with a JSON object holding a `services` array',
      since: '2.13',
      tags: ['catalog'],
      citation: spec('catalog-management', 'MUST', '200 OK MUST be returned upon successful processing; the body has a `services` array (which MAY be empty).'),
    },
    async (t) => {
      const r = await run.http.send('GET', '/v2/catalog');
      const hint = r.status === 401 ? (run.http.options.username === undefined ? ' (the broker wants credentials: give --username and --password)' : ' (are the credentials right?)') : '';
      if (!t.expect(r.status === 200, `GET /v2/catalog answered ${describeReply(r)}; expected 200 with the catalog${hint}`, undefined, r.exchange)) return;
      if (!t.expect(!r.invalidJson && isObject(r.json), `the catalog is not a JSON object: ${describeReply(r)}`, undefined, r.exchange)) return;
      const body = r.json as Record<string, unknown>;
      if (!t.expect(Array.isArray(body.services), '`services` is missing or not an array', undefined, r.exchange)) return;
      raw = body;
      const n = (body.services as unknown[]).length;
      t.note(`${n} service offering(s), ${(body.services as unknown[]).reduce((a: number, s) => a + plansOf(s).length, 0)} plan(s)`);
      if (n === 0) t.fail('the catalog has no services: the spec allows that, but Cloud Foundry refuses to register such a broker ("Service broker must provide at least one service")', cf('catalog validation', 'Cloud Controller requires at least one service.'));
    },
  );
  const catalogDependent = (t: CaseContext): unknown => raw ?? t.notRun('the catalog could not be fetched (see CAT-01)');

  await e.run(
    {
      id: 'CAT-02',
      title: 'every service offering has a name, id, description, bindable and at least one plan',
      since: '2.13',
      tags: ['catalog'],
      citation: spec('service-offering-object', 'MUST', '`name`, `id` and `description` are non-empty strings, `bindable` a boolean, `plans` an array with at least one plan.'),
    },
    (t) => {
      services(catalogDependent(t)).forEach((s, i) => {
        if (!isObject(s)) return t.fail(`services[${i}] is not an object`);
        for (const k of ['name', 'id', 'description']) t.expect(nonEmpty(s[k]), `${label(s, i)}: \`${k}\` must be a non-empty string, got ${JSON.stringify(s[k])}`);
        t.expect(typeof s.bindable === 'boolean', `${label(s, i)}: \`bindable\` must be a boolean, got ${JSON.stringify(s.bindable)}`);
        t.expect(Array.isArray(s.plans) && s.plans.length > 0, `${label(s, i)}: \`plans\` must contain at least one plan`);
      });
    },
  );

  await e.run(
    {
      id: 'CAT-03',
      title: 'service offering names and ids are unique',
      since: '2.13',
      tags: ['catalog'],
      citation: spec('service-offering-object', 'MUST', 'a service `name` MUST be unique across all offerings in the response; its `id` MUST be globally unique.'),
    },
    (t) => {
      const list = services(catalogDependent(t)).filter(isObject);
      for (const key of ['name', 'id']) {
        const seen = new Map<unknown, number>();
        for (const s of list) seen.set(s[key], (seen.get(s[key]) ?? 0) + 1);
        for (const [v, n] of seen) if (n > 1 && v !== undefined) t.fail(`${n} service offerings share the ${key} ${JSON.stringify(v)}`);
      }
    },
  );

  await e.run(
    {
      id: 'CAT-04',
      title: 'every plan has an id (unique across all services), a name unique within its service, and a description',
      since: '2.13',
      tags: ['catalog'],
      citation: spec('service-plan-object', 'MUST', 'a plan `id` is a non-empty string, globally unique; its `name` is non-empty and unique within the offering; `description` is non-empty.'),
    },
    (t) => {
      const ids = new Map<unknown, string[]>();
      services(catalogDependent(t)).forEach((s, i) => {
        const names = new Set<unknown>();
        plansOf(s).forEach((p, j) => {
          const where = planLabel(s, i, p, j);
          if (!isObject(p)) return t.fail(`${where} is not an object`);
          for (const k of ['id', 'name', 'description']) t.expect(nonEmpty(p[k]), `${where}: \`${k}\` must be a non-empty string, got ${JSON.stringify(p[k])}`);
          if (names.has(p.name)) t.fail(`${label(s, i)} has two plans named ${JSON.stringify(p.name)}`);
          names.add(p.name);
          if (p.id !== undefined) ids.set(p.id, [...(ids.get(p.id) ?? []), where]);
          return undefined;
        });
      });
      for (const [id, where] of ids) if (where.length > 1) t.fail(`plan id ${JSON.stringify(id)} is used by ${where.join(' and ')}`);
    },
  );

  await e.run(
    {
      id: 'CAT-05',
      title: 'service and plan names are CLI-friendly and strings stay within 255 characters',
      since: '2.14',
      tags: ['catalog'],
      citation: spec('catalog-management', 'SHOULD', 'CLI-friendly names (letters, digits, periods, hyphens; no spaces) are RECOMMENDED, as are strings of at most 255 characters.'),
    },
    (t) => {
      services(catalogDependent(t)).forEach((s, i) => {
        if (!isObject(s)) return;
        const check = (name: unknown, where: string) => {
          if (nonEmpty(name) && (!CLI_FRIENDLY.test(name) || name === '-')) t.fail(`${where}: name ${JSON.stringify(name)} is not CLI-friendly`);
        };
        check(s.name, label(s, i));
        if (typeof s.description === 'string' && s.description.length > 255) t.fail(`${label(s, i)}: description is ${s.description.length} characters (255 recommended at most)`);
        plansOf(s).forEach((p, j) => {
          if (!isObject(p)) return;
          check(p.name, planLabel(s, i, p, j));
          if (typeof p.description === 'string' && p.description.length > 255) t.fail(`${planLabel(s, i, p, j)}: description is ${p.description.length} characters (255 recommended at most)`);
        });
      });
    },
  );

  await e.run(
    {
      id: 'CAT-06',
      title: 'ids are stable: a second catalog fetch returns the same service and plan ids',
      since: '2.13',
      tags: ['catalog'],
      citation: spec('catalog-management', 'MUST', 'a Service Broker MUST NOT change the `id` of a resource across queries.'),
    },
    async (t) => {
      const first = catalogDependent(t);
      const r = await run.http.send('GET', '/v2/catalog');
      if (r.status !== 200 || !isObject(r.json)) t.notRun(`the second catalog fetch answered ${describeReply(r)}`);
      const key = (c: unknown) =>
        services(c)
          .filter(isObject)
          .map((s) => `${String(s.name)}=${String(s.id)}[${plansOf(s).filter(isObject).map((p) => `${String(p.name)}=${String(p.id)}`).sort().join(',')}]`)
          .sort();
      const a = key(first);
      const b = key(r.json);
      const changed = a.filter((x) => !b.includes(x));
      t.expect(changed.length === 0, `ids changed between two fetches: ${changed.join('; ')} became ${b.filter((x) => !a.includes(x)).join('; ')}`, undefined, r.exchange);
    },
  );

  await e.run(
    {
      id: 'CAT-07',
      title: 'optional catalog fields have the types the spec defines',
      since: '2.13',
      tags: ['catalog'],
      citation: spec('service-offering-object', 'MUST', '`tags` an array of strings; `requires` only syslog_drain, route_forwarding, volume_mount; `instances_retrievable`, `bindings_retrievable`, `allow_context_updates`, `plan_updateable`, plan `free`/`bindable`/`binding_rotatable` booleans; `metadata` objects; `maximum_polling_duration` an integer.'),
    },
    (t) => {
      services(catalogDependent(t)).forEach((s, i) => {
        if (!isObject(s)) return;
        const where = label(s, i);
        if ('tags' in s && !(Array.isArray(s.tags) && s.tags.every((x) => typeof x === 'string'))) t.fail(`${where}: \`tags\` must be an array of strings`);
        if ('requires' in s) {
          if (!Array.isArray(s.requires)) t.fail(`${where}: \`requires\` must be an array`);
          else for (const r of s.requires) t.expect(REQUIRES.includes(r as string), `${where}: \`requires\` contains ${JSON.stringify(r)}; only ${REQUIRES.join(', ')} are defined`);
        }
        for (const k of ['instances_retrievable', 'bindings_retrievable', 'allow_context_updates', 'plan_updateable']) {
          if (k in s) t.expect(typeof s[k] === 'boolean', `${where}: \`${k}\` must be a boolean, got ${JSON.stringify(s[k])}`);
        }
        if ('plan_updatable' in s) t.fail(`${where}: has \`plan_updatable\`; the field is spelled \`plan_updateable\` (the spec keeps the misspelling), so platforms ignore it`, spec('service-offering-object', 'SHOULD', 'the field is `plan_updateable`.'));
        if ('metadata' in s && !isObject(s.metadata)) t.fail(`${where}: \`metadata\` must be an object`);
        plansOf(s).forEach((p, j) => {
          if (!isObject(p)) return;
          const pw = planLabel(s, i, p, j);
          for (const k of ['free', 'bindable', 'plan_updateable', 'binding_rotatable']) if (k in p) t.expect(typeof p[k] === 'boolean', `${pw}: \`${k}\` must be a boolean, got ${JSON.stringify(p[k])}`);
          if ('metadata' in p && !isObject(p.metadata)) t.fail(`${pw}: \`metadata\` must be an object`);
          if ('maximum_polling_duration' in p) t.expect(Number.isInteger(p.maximum_polling_duration) && (p.maximum_polling_duration as number) > 0, `${pw}: \`maximum_polling_duration\` must be a positive integer (seconds), got ${JSON.stringify(p.maximum_polling_duration)}`);
          if ('schemas' in p && !isObject(p.schemas)) t.fail(`${pw}: \`schemas\` must be an object`);
        });
      });
    },
  );

  await e.run(
    {
      id: 'CAT-08',
      title: 'maintenance_info carries a Semantic Version 2.0 `version`',
      since: '2.15',
      tags: ['catalog', 'maintenance-info'],
      citation: spec('maintenance-info-object', 'MUST', '`maintenance_info.version` is REQUIRED and MUST be a semantic version 2.0 string; `description` SHOULD describe the impact.'),
    },
    (t) => {
      let any = false;
      services(catalogDependent(t)).forEach((s, i) =>
        plansOf(s).forEach((p, j) => {
          if (!isObject(p) || !('maintenance_info' in p)) return;
          any = true;
          const mi = p.maintenance_info;
          const pw = planLabel(s, i, p, j);
          if (!isObject(mi)) return t.fail(`${pw}: \`maintenance_info\` must be an object`);
          t.expect(typeof mi.version === 'string' && SEMVER.test(mi.version), `${pw}: maintenance_info.version ${JSON.stringify(mi.version)} is not a Semantic Version 2.0 string`);
          if ('description' in mi && typeof mi.description !== 'string') t.fail(`${pw}: maintenance_info.description must be a string`, spec('maintenance-info-object', 'SHOULD', '`description` SHOULD be a string describing the impact of the maintenance update.'));
          const extra = Object.keys(mi).filter((k) => k !== 'version' && k !== 'description');
          if (extra.length) t.fail(`${pw}: maintenance_info has keys ${extra.join(', ')}; Cloud Foundry accepts only version and description`, cf('catalog validation', 'Maintenance info contains invalid key(s).'));
          return undefined;
        }),
      );
      if (!any) t.notApplicable('no plan has maintenance_info');
    },
  );

  await e.run(
    {
      id: 'CAT-09',
      title: 'every parameters schema declares $schema, is a valid JSON Schema, has no external $ref and is at most 64 kB',
      since: '2.13',
      tags: ['catalog', 'schemas'],
      citation: spec('input-parameters-schema-object', 'MUST', 'the `$schema` key MUST be present; schemas MUST NOT contain external references and MUST NOT be larger than 64 kB; platforms support at least draft-04.'),
    },
    (t) => {
      let count = 0;
      services(catalogDependent(t)).forEach((s, i) =>
        plansOf(s).forEach((p, j) => {
          if (!isObject(p) || !isObject(p.schemas)) return;
          const pw = planLabel(s, i, p, j);
          for (const [path, schema] of schemaEntries(p.schemas)) {
            count++;
            const { must, should } = run.schemas.check(schema);
            for (const m of must) t.fail(`${pw} schemas.${path}.parameters ${m}`);
            for (const m of should) t.fail(`${pw} schemas.${path}.parameters ${m}`, spec('input-parameters-schema-object', 'SHOULD', 'platforms MUST support draft-04 and SHOULD be prepared for later versions.'));
          }
        }),
      );
      if (count === 0) t.notApplicable('no plan declares parameter schemas');
      t.note(`${count} schema(s) checked`);
    },
  );

  await e.run(
    {
      id: 'CAT-10',
      title: 'catalog fits Cloud Foundry\'s limits (descriptions at most 10,000 characters, tags at most 2,048 together)',
      since: '2.13',
      tags: ['catalog', 'cloudfoundry'],
      citation: cf('catalog validation', 'Cloud Controller rejects descriptions over 10,000 characters and tags whose joined length exceeds 2,048.'),
    },
    (t) => {
      if (run.platform.platformName !== 'cloudfoundry') t.notApplicable('the platform profile is not Cloud Foundry');
      services(catalogDependent(t)).forEach((s, i) => {
        if (!isObject(s)) return;
        if (typeof s.description === 'string' && s.description.length > 10_000) t.fail(`${label(s, i)}: description is ${s.description.length} characters`);
        if (Array.isArray(s.tags) && s.tags.join('').length > 2048) t.fail(`${label(s, i)}: tags total ${s.tags.join('').length} characters`);
        plansOf(s).forEach((p, j) => {
          if (isObject(p) && typeof p.description === 'string' && p.description.length > 10_000) t.fail(`${planLabel(s, i, p, j)}: description is ${p.description.length} characters`);
        });
      });
    },
  );

  await e.run(
    {
      id: 'CAT-11',
      title: 'catalog caching: an ETag or Last-Modified the broker sends is honoured',
      since: '2.16',
      tags: ['catalog'],
      citation: spec('catalog-management', 'MAY', 'Service Brokers MAY support ETag and If-Modified-Since to enable caching of the catalog.'),
    },
    async (t) => {
      catalogDependent(t);
      const first = run.http.exchanges.find((x) => x.path.endsWith('/v2/catalog') && x.status === 200);
      const etag = first?.responseHeaders.etag;
      const lastModified = first?.responseHeaders['last-modified'];
      if (!etag && !lastModified) t.notApplicable('the broker sends neither ETag nor Last-Modified (both optional)');
      const r = await run.http.send('GET', '/v2/catalog', { headers: etag ? { 'If-None-Match': etag } : { 'If-Modified-Since': lastModified! } });
      t.expect(r.status === 304 || r.status === 200, `a conditional catalog fetch answered ${describeReply(r)}; expected 304 Not Modified (or 200)`, spec('catalog-management', 'MUST', 'conditional requests follow RFC 7232: 304 when unchanged, 200 otherwise.'), r.exchange);
      t.note(`conditional fetch answered ${r.status}`);
    },
  );

  await e.run(
    {
      id: 'CTX-03',
      title: 'dashboard_client (Cloud Foundry catalog extension) has id, secret and redirect_uri',
      since: '2.13',
      tags: ['catalog', 'cloudfoundry'],
      citation: profile('cloud-foundry-catalog-extensions', 'CF', '`dashboard_client` has `id`, `secret` and `redirect_uri` strings (Cloud Foundry requires all three).'),
    },
    (t) => {
      let any = false;
      services(catalogDependent(t)).forEach((s, i) => {
        if (!isObject(s) || !('dashboard_client' in s)) return;
        any = true;
        const d = s.dashboard_client;
        if (!isObject(d)) return t.fail(`${label(s, i)}: \`dashboard_client\` must be an object`);
        for (const k of ['id', 'secret', 'redirect_uri']) t.expect(nonEmpty(d[k]), `${label(s, i)}: dashboard_client.${k} must be a non-empty string`);
        return undefined;
      });
      if (!any) t.notApplicable('no service declares a dashboard_client');
    },
  );

  return raw as Catalog | undefined;
}

function schemaEntries(schemas: Record<string, unknown>): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [kind, ops] of Object.entries(schemas)) {
    if (!isObject(ops)) continue;
    for (const [op, holder] of Object.entries(ops)) if (isObject(holder) && 'parameters' in holder) out.push([`${kind}.${op}`, holder.parameters]);
  }
  return out;
}

/** The plans to exercise: those the config names, or every plan of a well-formed catalog. */
export function selectTargets(run: RunContext, catalog: Catalog): { targets: PlanTarget[]; problems: string[] } {
  const problems: string[] = [];
  const good = services(catalog).filter((s): s is CatalogService => isObject(s) && nonEmpty(s.id) && Array.isArray(s.plans)) as CatalogService[];
  const make = (s: CatalogService, p: CatalogService['plans'][number], cfg?: NonNullable<RunContext['config']['plans']>[number]): PlanTarget => {
    const requires = Array.isArray(s.requires) ? s.requires : [];
    return {
      service: s,
      plan: p,
      scope: `${s.name}/${p.name}`,
      bindable: typeof p.bindable === 'boolean' ? p.bindable : s.bindable === true,
      planUpdateable: typeof p.plan_updateable === 'boolean' ? p.plan_updateable : s.plan_updateable === true,
      instancesRetrievable: s.instances_retrievable === true,
      bindingsRetrievable: s.bindings_retrievable === true,
      provisionParameters: cfg?.provisionParameters,
      updateParameters: cfg?.updateParameters,
      bindParameters: cfg?.bindParameters,
      expectCredentials: cfg?.credentials ?? !requires.some((r) => REQUIRES.includes(r)),
    };
  };
  const validPlan = (p: unknown): p is CatalogService['plans'][number] => isObject(p) && nonEmpty(p.id);
  if (!run.config.plans) {
    const targets = good.flatMap((s) => s.plans.filter(validPlan).map((p) => make(s, p)));
    return { targets, problems };
  }
  const targets: PlanTarget[] = [];
  for (const cfg of run.config.plans) {
    const s = good.find((x) => x.name === cfg.service || x.id === cfg.service);
    if (!s) {
      problems.push(`config names service "${cfg.service}", which the catalog does not have`);
      continue;
    }
    const plans = s.plans.filter(validPlan).filter((p) => cfg.plan === undefined || p.name === cfg.plan || p.id === cfg.plan);
    if (plans.length === 0) problems.push(`config names plan "${cfg.plan}" of "${cfg.service}", which the catalog does not have`);
    for (const p of plans) targets.push(make(s, p, cfg));
  }
  return { targets, problems };
}
