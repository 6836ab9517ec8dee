import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Random } from '../../fakes/core/random.js';
import { BoshError } from '../../fakes/bosh/errors.js';
import { allocateIps } from '../../fakes/bosh/manifest/ips.js';
import { placeInstances } from '../../fakes/bosh/manifest/place.js';
import { planDeployment, type PlanInput } from '../../fakes/bosh/manifest/plan.js';
import { resolveReleases, resolveStemcells } from '../../fakes/bosh/manifest/releases.js';
import { validateGroups, type GroupPlan } from '../../fakes/bosh/manifest/validate.js';
import { compareVersions } from '../../fakes/bosh/manifest/versions.js';
import { buildCloud } from '../../fakes/bosh/model/cloud.js';
import { ipToInt } from '../../fakes/bosh/model/ip.js';
import { IpBook } from '../../fakes/bosh/model/ip-book.js';
import { linkAddress } from '../../fakes/bosh/model/links.js';
import type { DeploymentRecord, InstanceRecord, IpReservation, ReleaseJob, ReleaseRecord, StemcellRecord } from '../../fakes/bosh/state.js';

/** The planner's steps called directly (no foundation): quick enough to run under mutation testing. */

const CLOUD = buildCloud([
  `azs: [{name: z1}, {name: z2}]
vm_types: [{name: default}]
disk_types: [{name: small, disk_size: 1}]
networks:
- name: net
  type: manual
  subnets:
  - {azs: [z1], range: 10.0.1.0/29, gateway: 10.0.1.1, reserved: [10.0.1.2], static: [10.0.1.6]}
  - {azs: [z2], range: 10.0.2.0/29, gateway: 10.0.2.1}
- name: other
  type: manual
  subnets: [{azs: [z1, z2], range: 10.0.3.0/29}]
- name: flat
  type: manual
  subnets: [{range: 10.0.4.0/29, gateway: 10.0.4.1}]
- name: dyn
  type: dynamic
  subnets: [{azs: [z1, z2]}]
- name: vip
  type: vip
- name: vips
  type: vip
  subnets: [{azs: [z1], static: [192.0.2.10]}]
`,
]);

const job = (name: string, extra: Partial<ReleaseJob> = {}): ReleaseJob => ({
  name,
  version: 'v',
  fingerprint: 'f',
  sha1: 's',
  blobstore_id: 'b',
  properties: {},
  provides: [],
  consumes: [],
  packages: [],
  errand: false,
  ...extra,
});
const rv = (version: string, jobs: ReleaseJob[]) => ({ version, commit_hash: 'c', uncommitted_changes: false, jobs, packages: [] });
const RELEASES: ReleaseRecord[] = [
  { name: 'app', versions: [rv('1.9.0', [job('web', { provides: [{ name: 'http', type: 'http' }] })]), rv('1.10.0', [job('web', { provides: [{ name: 'http', type: 'http' }] }), job('smoke', { errand: true }), job('worker'), job('api', { provides: [{ name: 'grpc', type: 'grpc' }, { name: 'rest', type: 'http' }] })])] },
  { name: 'tools', versions: [rv('2', [job('smoke', { errand: true }), job('debug')])] },
];
const stemcell = (id: number, name: string, version: string, os: string): StemcellRecord => ({ id, name, version, operating_system: os, cid: 'c', cpi: '', api_version: 3, sha1: 's' });
const STEMCELLS = [stemcell(1, 'jammy-go', '1.9', 'ubuntu-jammy'), stemcell(2, 'jammy-go', '1.10', 'ubuntu-jammy'), stemcell(3, 'noble-go', '1.1', 'ubuntu-noble')];

const doc = (yaml: string) => parseYaml(yaml) as Record<string, unknown> & { name: string };
const failure = (fn: () => unknown): { code: number; status: number; message: string } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof BoshError) return { code: err.code, status: err.status, message: err.description };
    throw err;
  }
  throw new Error('did not throw');
};

const BASE = `name: d
releases: [{name: app, version: latest}]
stemcells: [{alias: s, os: ubuntu-jammy}]
`;
const IG = (extra = '', name = 'g') => `- name: ${name}
  instances: 2
  azs: [z1, z2]
  vm_type: default
  stemcell: s
  networks: [{name: net}]
  jobs: [{name: web}]
${extra}`;

const refs = (m: Record<string, unknown>) => ({ releases: resolveReleases(m, RELEASES), stemcells: resolveStemcells(m, STEMCELLS), cloud: CLOUD });
const groups = (yaml: string) => {
  const m = doc(yaml);
  return validateGroups(m, refs(m));
};

describe('releases and stemcells', () => {
  it('compares versions part by part, numbers as numbers', () => {
    expect([compareVersions('1.10.0', '1.9.0') > 0, compareVersions('1.9', '1.9.0') < 0, compareVersions('1.a', '1.b') < 0, compareVersions('2', '2')]).toEqual([true, true, true, 0]);
    expect([compareVersions('1.9.0', '1.9'), compareVersions('2', '10') < 0, compareVersions('1.b', '1.a'), compareVersions('1.2a', '1.10'), compareVersions('1.10', '1.2a')]).toEqual([1, true, 1, 1, -1]);
    // Equal text parts go on to the next part.
    expect([compareVersions('1.a.2', '1.a.3') < 0, compareVersions('1.a', '1.a')]).toEqual([true, 0]);
  });

  it('resolves `latest` to the highest version, a named one exactly', () => {
    expect(resolveReleases(doc(BASE), RELEASES).get('app')?.version).toBe('1.10.0');
    expect(resolveReleases(doc('releases: [{name: app, version: 1.9.0}]'), RELEASES).get('app')?.version).toBe('1.9.0');
    expect(resolveReleases(doc('releases: [{name: app}]'), RELEASES).get('app')?.version).toBe('1.10.0');
    // The highest, wherever it was uploaded in the list.
    const unsorted: ReleaseRecord[] = [{ name: 'x', versions: ['2.0', '10.0', '3.0'].map((v) => rv(v, [])) }];
    expect(resolveReleases(doc('releases: [{name: x}]'), unsorted).get('x')?.version).toBe('10.0');
  });

  it('refuses unknown, duplicate and ill-typed releases', () => {
    expect(failure(() => resolveReleases(doc('releases: [{name: nope}]'), RELEASES))).toEqual({ code: 30005, status: 404, message: "Release 'nope' doesn't exist" });
    expect(failure(() => resolveReleases(doc('releases: [{name: app, version: "3"}]'), RELEASES))).toEqual({ code: 30006, status: 404, message: "Release version 'app/3' doesn't exist" });
    expect(failure(() => resolveReleases(doc('releases: [{name: app}, {name: app}]'), RELEASES))).toEqual({ code: 190002, status: 400, message: "Duplicate release name 'app'" });
    expect(failure(() => resolveReleases(doc('releases: app'), RELEASES)).message).toBe(`Property 'releases' value ("app") did not match the required type 'Array'`);
    expect(failure(() => resolveReleases(doc('stemcells: [1]'), RELEASES)).message).toBe(`Property 'stemcells' value (1) did not match the required type 'Hash'`);
  });

  it('finds stemcells by os or by name, latest or exact, under their alias', () => {
    const s = resolveStemcells(doc('stemcells: [{alias: a, os: ubuntu-jammy}, {alias: b, name: jammy-go, version: "1.9"}, {alias: c, os: ubuntu-noble, version: latest}]'), STEMCELLS);
    expect([...s.entries()].map(([k, v]) => [k, v.id])).toEqual([
      ['a', 2],
      ['b', 1],
      ['c', 3],
    ]);
    expect(resolveStemcells(doc('stemcells: [{alias: n, name: noble-go}]'), STEMCELLS).get('n')?.id).toBe(3);
    expect(failure(() => resolveStemcells(doc('stemcells: [{alias: a, os: ubuntu-focal}]'), STEMCELLS))).toEqual({ code: 50003, status: 404, message: "Stemcell version 'latest' for OS 'ubuntu-focal' doesn't exist" });
    expect(failure(() => resolveStemcells(doc('stemcells: [{alias: a, name: jammy-go, version: "9"}]'), STEMCELLS))).toEqual({ code: 50003, status: 404, message: "Stemcell 'jammy-go/9' doesn't exist" });
  });
});

describe('instance group checks', () => {
  it('keeps what placement needs: lifecycle, jobs, vm type, stemcell, networks, AZs, count, state, disk', () => {
    const [g] = groups(`${BASE}instance_groups:\n${IG('  persistent_disk_type: small\n  state: stopped\n')}`);
    expect({ ...g, jobs: g.jobs.map((j) => j.name), stemcell: g.stemcell.id, networks: g.networks.map((n) => [n.net.name, n.staticIps]) }).toEqual({
      name: 'g',
      lifecycle: 'service',
      jobs: ['web'],
      vmType: 'default',
      stemcell: 2,
      networks: [['net', null]],
      azs: ['z1', 'z2'],
      count: 2,
      state: 'stopped',
      hasDisk: true,
    });
    const [e] = groups(`${BASE}instance_groups:\n${IG('  lifecycle: errand\n  persistent_disk: 10\n')}`);
    expect([e.lifecycle, e.state, e.hasDisk]).toEqual(['errand', 'started', true]);
    expect(groups(`${BASE}instance_groups:\n${IG()}`)[0].hasDisk).toBe(false);
    expect(groups(`${BASE}jobs:\n${IG()}`).map((x) => x.name)).toEqual(['g']);
  });

  const cases: [string, string, number, string][] = [
    ['a non-list', 'instance_groups: {a: 1}\n', 40000, `Property 'instance_groups' value ({"a":1}) did not match the required type 'Array'`],
    ['a nameless group', 'instance_groups: [{instances: 1}]\n', 40000, `Property 'name' value (undefined) did not match the required type 'String'`],
    ['a bad lifecycle', `instance_groups:\n${IG('  lifecycle: batch\n')}`, 140011, "Invalid lifecycle 'batch' for 'g', valid lifecycle profiles are: service, errand"],
    ['an unknown group release', `instance_groups:\n${IG('  release: tools\n')}`, 140002, "Instance group 'g' references an unknown release 'tools'"],
    ['no jobs key', 'instance_groups: [{name: g}]\n', 40001, "Instance group 'g' does not specify jobs key"],
    ['jobs not a list', 'instance_groups: [{name: g, jobs: web}]\n', 40000, `Property 'jobs' value ("web") did not match the required type 'Array'`],
    ['networks not a list', 'instance_groups: [{name: g, jobs: [], networks: net}]\n', 40000, `Property 'networks' value ("net") did not match the required type 'Array'`],
    ['azs not a list', 'instance_groups: [{name: g, jobs: [], azs: z1}]\n', 40000, `Property 'azs' value ("z1") did not match the required type 'Array'`],
    ['a job of an unknown release', `instance_groups:\n${IG().replace('{name: web}', '{name: web, release: tools}')}`, 140002, "Job 'web' (instance group 'g') references an unknown release 'tools'"],
    ['a job not in its release', `instance_groups:\n${IG().replace('{name: web}', '{name: cron}')}`, 100, "Job 'cron' not found in Template table"],
    ['an unknown disk type', `instance_groups:\n${IG('  persistent_disk_type: huge\n')}`, 140012, "Instance group 'g' references an unknown disk type 'huge'"],
    ['no vm type', `instance_groups:\n${IG().replace('  vm_type: default\n', '')}`, 140003, "Instance group 'g' is missing either 'vm_type' or 'vm_resources' or 'resource_pool' section."],
    ['an unknown vm type', `instance_groups:\n${IG().replace('vm_type: default', 'vm_type: xl')}`, 140004, "Instance group 'g' references an unknown vm type 'xl'"],
    ['an unknown stemcell', `instance_groups:\n${IG().replace('stemcell: s', 'stemcell: t')}`, 140005, "Instance group 'g' references an unknown stemcell 't'"],
    ['no network', `instance_groups:\n${IG().replace('[{name: net}]', '[]')}`, 140009, "Instance group 'g' must specify at least one network"],
    ['an unknown network', `instance_groups:\n${IG().replace('[{name: net}]', '[{name: lan}]')}`, 150001, "Instance group 'g' references an unknown network 'lan'"],
    ['an unknown az', `instance_groups:\n${IG().replace('[z1, z2]', '[z1, z9]')}`, 140018, "Instance group 'g' references unknown availability zone 'z9'"],
    ['a count that is not an integer', `instance_groups:\n${IG().replace('instances: 2', 'instances: 1.5')}`, 40000, `Property 'instances' value (1.5) did not match the required type 'Integer'`],
    ['no azs on a network with azs', `instance_groups:\n${IG().replace('  azs: [z1, z2]\n', '')}`, 150006, "Instance group 'g' must specify availability zone that matches availability zones of network 'net'"],
    ['static IPs that do not match the count', `instance_groups:\n${IG().replace('[{name: net}]', '[{name: net, static_ips: [10.0.1.6]}]')}`, 150002, "Instance group 'g' has 2 instances but was allocated 1 static IPs in network 'net'"],
  ];
  for (const [what, yaml, code, message] of cases) {
    it(`refuses ${what} (${code})`, () => {
      expect(failure(() => groups(`${BASE}${yaml}`))).toMatchObject({ code, message });
    });
  }

  it('refuses an AZ with no subnet on the network, and a job whose release cannot be told', () => {
    const cloud = buildCloud(['azs: [{name: z1}, {name: z2}]\nvm_types: [{name: default}]\nnetworks: [{name: net, subnets: [{azs: [z1], range: 10.0.0.0/29}]}]\n']);
    const m = doc(`${BASE}instance_groups:\n${IG()}`);
    expect(failure(() => validateGroups(m, { ...refs(m), cloud }))).toMatchObject({
      code: 150006,
      message: `Instance group 'g' refers to an availability zone(s) '["z2"]' but 'net' has no matching subnet(s).`,
    });
    const two = doc(`${BASE.replace('[{name: app, version: latest}]', '[{name: app}, {name: tools}]')}instance_groups:\n${IG()}`);
    expect(failure(() => validateGroups(two, refs(two)))).toMatchObject({
      code: 140001,
      message: "Cannot tell what release template 'web' (instance group 'g') is supposed to use, please explicitly specify one",
    });
  });

  it('accepts the legacy and alternative keys: templates, template, vm_resources, resource_pool', () => {
    const g = (extra: string) => groups(`${BASE}instance_groups:\n${extra}`)[0];
    expect(g('- {name: a, templates: [{name: web}], vm_type: default, stemcell: s, networks: [{name: net}], azs: [z1], instances: 1}\n').jobs.map((j) => j.name)).toEqual(['web']);
    expect(g('- {name: a, template: web, vm_type: default, stemcell: s, networks: [{name: net}], azs: [z1], instances: 1}\n').jobs).toEqual([]);
    expect(g('- {name: a, jobs: [], vm_resources: {cpu: 1}, stemcell: s, networks: [{name: net}], azs: [z1], instances: 1}\n').vmType).toBeNull();
    expect(g('- {name: a, jobs: [], resource_pool: rp, stemcell: s, networks: [{name: net}], azs: [z1], instances: 1}\n').vmType).toBeNull();
    expect(failure(() => g('- {name: a, jobs: [], vm_resources: small, stemcell: s, networks: [{name: net}], azs: [z1], instances: 1}\n')).code).toBe(140003);
  });

  it('takes any AZ on a network whose subnets name none, and any on a vip network', () => {
    const g = (net: string, azs: string) => groups(`${BASE}instance_groups:\n- {name: a, jobs: [], vm_type: default, stemcell: s, networks: [{name: ${net}}], ${azs} instances: 1}\n`)[0];
    expect(g('flat', 'azs: [z1, z2],').azs).toEqual(['z1', 'z2']);
    expect(g('flat', '').azs).toEqual([]);
    expect(g('vip', 'azs: [z2],').networks[0].net.type).toBe('vip');
    expect(g('vips', 'azs: [z2],').networks[0].net.name).toBe('vips');
    const stat = groups(`${BASE}instance_groups:\n${IG().replace('[{name: net}]', '[{name: net, static_ips: [10.0.1.6, 10.0.2.6]}]')}`)[0];
    expect(stat.networks[0].staticIps).toEqual([ipToInt('10.0.1.6'), ipToInt('10.0.2.6')]);
  });

  it('takes a job\'s release from the job, then the group, then the only release', () => {
    const two = doc(`${BASE.replace('[{name: app, version: latest}]', '[{name: app}, {name: tools}]')}instance_groups:\n${IG('  release: tools\n').replace('{name: web}', '{name: web, release: app}, {name: debug}')}`);
    const [g] = validateGroups(two, refs(two));
    expect(g.jobs.map((j) => [j.name, j.spec.name])).toEqual([
      ['web', 'web'],
      ['debug', 'debug'],
    ]);
  });
});

const group = (over: Partial<GroupPlan> = {}): GroupPlan => ({
  name: 'g',
  lifecycle: 'service',
  jobs: [],
  vmType: 'default',
  stemcell: STEMCELLS[1],
  networks: [{ net: CLOUD.networks.get('net')!, staticIps: null }],
  azs: ['z1', 'z2'],
  count: 3,
  state: 'started',
  hasDisk: false,
  ...over,
});
const inst = (index: number, az: string | null, id = `old-${index}`, ip?: string): InstanceRecord =>
  ({ id, group: 'g', index, az, lifecycle: 'service', networks: ip ? [{ name: 'net', ip }] : [] }) as InstanceRecord;

describe('placement', () => {
  it('spreads new instances over the emptiest AZ first, in listed order on ties', () => {
    expect(placeInstances(group({ count: 5 }), []).map((s) => s.az)).toEqual(['z1', 'z2', 'z1', 'z2', 'z1']);
    expect(placeInstances(group({ azs: [], count: 2 }), []).map((s) => [s.index, s.az])).toEqual([
      [0, null],
      [1, null],
    ]);
  });

  it('keeps an existing instance at its index while its AZ is listed; the rest fill around it', () => {
    const slots = placeInstances(group({ count: 3 }), [{ ...inst(0, 'z1', 'x'), group: 'other' }, inst(1, 'z1'), inst(0, 'z1')]);
    expect(slots.map((s) => [s.index, s.az, s.old?.id])).toEqual([
      [0, 'z1', 'old-0'],
      [1, 'z1', 'old-1'],
      [2, 'z2', undefined],
    ]);
    const moved = placeInstances(group({ azs: ['z2'], count: 2 }), [inst(0, 'z1')]);
    expect(moved.map((s) => [s.az, s.old?.id])).toEqual([
      ['z2', undefined],
      ['z2', undefined],
    ]);
    expect(placeInstances(group({ azs: [], count: 1 }), [inst(0, null)])[0].old?.id).toBe('old-0');
    // Kept instances count towards their AZ: two in z1 send the next two to z2.
    expect(placeInstances(group({ count: 4 }), [inst(0, 'z1'), inst(1, 'z1')]).map((s) => s.az)).toEqual(['z1', 'z1', 'z2', 'z2']);
    expect(placeInstances(group({ count: 2 }), [inst(1, 'z2')]).map((s) => [s.az, s.old?.id])).toEqual([
      ['z1', undefined],
      ['z2', 'old-1'],
    ]);
  });
});

describe('IP allocation', () => {
  const setup = (held: IpReservation[] = []) => {
    const state = { list: [...held] };
    const book = new IpBook(
      () => state.list,
      (l) => (state.list = l),
    );
    return { state, book, ctx: { deployment: 'd', book, taskId: 7, random: new Random('ips').fork('bosh') } };
  };
  const r = (ip: string, deployment = 'other', instance = 'x', network = 'net'): IpReservation => ({ network, ip, deployment, instance, task_id: null });

  it("takes the lowest free address of the slot's AZ, skipping gateway, reserved, static and held ones", () => {
    const { book, ctx, state } = setup([r('10.0.1.3')]);
    const g = group();
    expect(allocateIps(g, { index: 0, az: 'z1', old: undefined }, 'a', ctx)).toEqual([{ name: 'net', ip: '10.0.1.4' }]);
    expect(allocateIps(g, { index: 1, az: 'z2', old: undefined }, 'b', ctx)).toEqual([{ name: 'net', ip: '10.0.2.2' }]);
    expect(allocateIps(g, { index: 2, az: 'z1', old: undefined }, 'c', ctx)).toEqual([{ name: 'net', ip: '10.0.1.5' }]);
    expect(state.list.map((x) => [x.ip, x.deployment, x.instance, x.task_id])).toEqual([
      ['10.0.1.3', 'other', 'x', null],
      ['10.0.1.4', 'd', 'a', 7],
      ['10.0.2.2', 'd', 'b', 7],
      ['10.0.1.5', 'd', 'c', 7],
    ]);
    expect(failure(() => allocateIps(g, { index: 3, az: 'z1', old: inst(3, 'z1', 'e') }, 'e', ctx))).toEqual({
      code: 130011,
      status: 400,
      message: "Failed to reserve IP for 'g/e (3)' for manual network 'net': no more available",
    });
    expect(failure(() => allocateIps(g, { index: 3, az: 'z1', old: undefined }, 'f', ctx)).message).toBe("Failed to reserve IP for 'g/new (3)' for manual network 'net': no more available");
    // The last address of a range is handed out too.
    const z2 = ['10.0.2.3', '10.0.2.4', '10.0.2.5', '10.0.2.6'].map((ip, n) => allocateIps(g, { index: n, az: 'z2', old: undefined }, `z2-${n}`, ctx)[0].ip);
    expect(z2).toEqual(['10.0.2.3', '10.0.2.4', '10.0.2.5', '10.0.2.6']);
    expect(book.holder('net', '10.0.1.4')?.instance).toBe('a');
  });

  it('lets an instance keep the address it holds (or a free one it had); one held by another moves', () => {
    const { ctx } = setup([r('10.0.1.4', 'd', 'a'), r('10.0.1.5', 'other', 'y')]);
    const g = group();
    expect(allocateIps(g, { index: 0, az: 'z1', old: inst(0, 'z1', 'a', '10.0.1.4') }, 'a', ctx)).toEqual([{ name: 'net', ip: '10.0.1.4' }]);
    expect(allocateIps(g, { index: 1, az: 'z1', old: inst(1, 'z1', 'b', '10.0.1.5') }, 'b', ctx)).toEqual([{ name: 'net', ip: '10.0.1.3' }]);
    expect(allocateIps(g, { index: 2, az: 'z2', old: inst(2, 'z2', 'c', '10.0.2.6') }, 'c', ctx)).toEqual([{ name: 'net', ip: '10.0.2.6' }]);
    // An instance of another deployment with the same id is not this one.
    const twin = setup([r('10.0.1.3', 'other', 'a')]);
    expect(allocateIps(g, { index: 0, az: 'z1', old: inst(0, 'z1', 'a', '10.0.1.3') }, 'a', twin.ctx)).toEqual([{ name: 'net', ip: '10.0.1.4' }]);
    // The address kept is the one on the same network.
    const two = group({ networks: [{ net: CLOUD.networks.get('net')!, staticIps: null }, { net: CLOUD.networks.get('other')!, staticIps: null }] });
    const old = { ...inst(0, 'z1', 'm'), networks: [{ name: 'other', ip: '10.0.3.5' }, { name: 'net', ip: '10.0.1.5' }] };
    expect(allocateIps(two, { index: 0, az: 'z1', old }, 'm', setup().ctx)).toEqual([
      { name: 'net', ip: '10.0.1.5' },
      { name: 'other', ip: '10.0.3.5' },
    ]);
    // Same deployment, another instance: not this one's to keep.
    const other = setup([r('10.0.2.2', 'd', 'z')]);
    expect(allocateIps(g, { index: 0, az: 'z2', old: inst(0, 'z2', 'a', '10.0.2.2') }, 'a', other.ctx)).toEqual([{ name: 'net', ip: '10.0.2.3' }]);
  });

  it('uses static IPs by index, gives errand groups none, and reserves on every network', () => {
    const { ctx } = setup();
    const two = group({ networks: [{ net: CLOUD.networks.get('net')!, staticIps: [ipToInt('10.0.1.6'), null] }, { net: CLOUD.networks.get('other')!, staticIps: null }] });
    expect(allocateIps(two, { index: 0, az: 'z1', old: undefined }, 'a', ctx)).toEqual([
      { name: 'net', ip: '10.0.1.6' },
      { name: 'other', ip: '10.0.3.1' },
    ]);
    expect(allocateIps(two, { index: 1, az: 'z1', old: undefined }, 'b', ctx)).toEqual([{ name: 'other', ip: '10.0.3.2' }]);
    expect(allocateIps(group({ lifecycle: 'errand' }), { index: 0, az: 'z1', old: undefined }, 'c', ctx)).toEqual([]);
  });

  it('takes the first subnet for an instance without AZ, and a subnet without AZs for any AZ', () => {
    const { ctx } = setup();
    const flat = group({ networks: [{ net: CLOUD.networks.get('flat')!, staticIps: null }] });
    expect(allocateIps(flat, { index: 0, az: 'z2', old: undefined }, 'a', ctx)).toEqual([{ name: 'flat', ip: '10.0.4.2' }]);
    expect(allocateIps(group(), { index: 0, az: null, old: undefined }, 'b', ctx)).toEqual([{ name: 'net', ip: '10.0.1.3' }]);
  });

  it('makes up a free address on a dynamic network (from the seeded stream); a vip network without static IPs has none to give', () => {
    const { ctx } = setup();
    const [dyn] = allocateIps(group({ networks: [{ net: CLOUD.networks.get('dyn')!, staticIps: null }] }), { index: 0, az: 'z1', old: undefined }, 'a', ctx);
    const expected = new Random('ips').fork('bosh');
    const draw = () => `10.${expected.int(0, 255)}.${expected.int(0, 255)}.${expected.int(2, 254)}`;
    expect(dyn).toEqual({ name: 'dyn', ip: draw() });
    // A drawn address someone holds is drawn again.
    const held = setup([r(draw(), 'other', 'x', 'dyn')]);
    held.ctx.random = new Random('ips').fork('bosh');
    held.ctx.random.int(0, 255);
    held.ctx.random.int(0, 255);
    held.ctx.random.int(2, 254);
    expect(allocateIps(group({ networks: [{ net: CLOUD.networks.get('dyn')!, staticIps: null }] }), { index: 0, az: 'z1', old: undefined }, 'b', held.ctx)[0].ip).toBe(draw());
    expect(ctx.book.holder('dyn', dyn.ip)?.instance).toBe('a');
    expect(failure(() => allocateIps(group({ networks: [{ net: CLOUD.networks.get('vip')!, staticIps: null }] }), { index: 0, az: 'z1', old: undefined }, 'b', ctx)).code).toBe(130011);
  });
});

describe('the IP book', () => {
  it('commits exactly the instances\' addresses, gives back a task\'s, and frees a deployment\'s', () => {
    const state = { list: [] as IpReservation[] };
    const book = new IpBook(
      () => state.list,
      (l) => (state.list = l),
    );
    const res = (ip: string, instance: string, deployment = 'd', task_id: number | null = 1): IpReservation => ({ network: 'net', ip, deployment, instance, task_id });
    expect(book.reserve(res('10.0.0.1', 'a'))).toBe(true);
    expect(book.reserve(res('10.0.0.1', 'a'))).toBe(true);
    expect(book.reserve(res('10.0.0.1', 'b'))).toBe(false);
    expect(book.reserve(res('10.0.0.1', 'a', 'e'))).toBe(false);
    book.reserve(res('10.0.0.2', 'b'));
    book.reserve(res('10.0.0.3', 'c', 'e', 2));
    book.commit({ name: 'd', instances: [{ id: 'a', networks: [{ name: 'net', ip: '10.0.0.1' }] }, { id: 'n', networks: [{ name: 'net', ip: '10.0.0.9' }] }] } as DeploymentRecord);
    expect(state.list.map((x) => [x.ip, x.instance, x.task_id])).toEqual([
      ['10.0.0.1', 'a', null],
      ['10.0.0.3', 'c', 2],
      ['10.0.0.9', 'n', null],
    ]);
    expect(book.holder('net', '10.0.0.2')).toBeUndefined();
    book.releaseTask(2);
    expect(book.holder('net', '10.0.0.3')).toBeUndefined();
    book.releaseTask(99);
    book.releaseDeployment('d');
    expect(state.list).toEqual([]);
    expect(book.holder('net', '10.0.0.1')).toBeUndefined();
    state.list = [res('10.0.0.5', 'z')];
    book.invalidate();
    expect(book.holder('net', '10.0.0.5')?.instance).toBe('z');
  });
});

describe('whole plans', () => {
  const input = (yaml: string, over: Partial<PlanInput> = {}): PlanInput => {
    const state = { list: [] as IpReservation[] };
    let n = 10;
    return {
      manifest: doc(yaml),
      releases: RELEASES,
      stemcells: STEMCELLS,
      cloud: CLOUD,
      existing: undefined,
      ips: new IpBook(
        () => state.list,
        (l) => (state.list = l),
      ),
      taskId: 1,
      random: new Random('plan').fork('bosh'),
      nextProviderId: () => ++n,
      ...over,
    };
  };
  const MANIFEST = `${BASE}features: {use_short_dns_addresses: true}
instance_groups:
${IG('  persistent_disk_type: small\n').replace('{name: web}', '{name: web, provides: {http: {as: api, shared: true}}, custom_provider_definitions: [{name: metrics, type: prom}]}, {name: smoke}')}- name: tests
  lifecycle: errand
  instances: 1
  azs: [z1]
  vm_type: default
  stemcell: s
  networks: [{name: other}]
  jobs: [{name: smoke}, {name: worker}]
`;

  it('lists releases, used stemcells, instances, errands, groups, providers, features and networks', () => {
    const plan = planDeployment(input(MANIFEST));
    expect(plan.releases).toEqual([{ name: 'app', version: '1.10.0' }]);
    expect(plan.stemcells).toEqual([{ name: 'jammy-go', version: '1.10' }]);
    expect(plan.instances.map((i) => [i.group, i.index, i.az, i.lifecycle, i.networks.map((n) => n.ip), i.bootstrap, i.disk_cid !== null, i.vm_cid !== null])).toEqual([
      ['g', 0, 'z1', 'service', ['10.0.1.3'], true, true, true],
      ['g', 1, 'z2', 'service', ['10.0.2.2'], false, true, true],
      ['tests', 0, 'z1', 'errand', [], true, false, false],
    ]);
    expect(plan.created).toEqual(plan.instances.slice(0, 2).map((i) => i.id));
    expect(plan.instances.map((i) => [typeof i.agent_id, typeof i.disk_cid])).toEqual([
      ['string', 'string'],
      ['string', 'string'],
      ['object', 'object'],
    ]);
    expect(plan.deleted).toEqual([]);
    expect(plan.errands).toEqual([
      { name: 'tests', groups: ['tests'] },
      { name: 'smoke', groups: ['g', 'tests'] },
    ]);
    expect(plan.instance_groups).toEqual([
      { name: 'g', lifecycle: 'service', jobs: ['web', 'smoke'] },
      { name: 'tests', lifecycle: 'errand', jobs: ['smoke', 'worker'] },
    ]);
    expect(plan.link_providers).toEqual([
      { id: 11, name: 'metrics', original_name: 'metrics', type: 'prom', shared: false, job: 'web', instance_group: 'g', network: 'net' },
      { id: 12, name: 'api', original_name: 'http', type: 'http', shared: true, job: 'web', instance_group: 'g', network: 'net' },
    ]);
    expect([plan.use_short_dns_addresses, plan.networks]).toEqual([true, ['net', 'other']]);
    expect(planDeployment(input(`${BASE}features: {use_short_dns_addresses: "yes"}\ninstance_groups: []\n`)).use_short_dns_addresses).toBe(false);
  });

  it('on an update keeps ids, VMs and provider ids; deletes what is gone; creates what is new', () => {
    const first = input(MANIFEST);
    const plan = planDeployment(first);
    const existing = { instances: plan.instances, link_providers: plan.link_providers } as DeploymentRecord;
    first.ips.commit({ name: 'd', instances: plan.instances } as DeploymentRecord);
    const again = planDeployment({ ...first, manifest: doc(MANIFEST.replace('instances: 2', 'instances: 3').replace(/- name: tests[\s\S]*$/, '')), existing, nextProviderId: () => 99 });
    expect(again.instances.map((i) => i.id).slice(0, 2)).toEqual(plan.instances.slice(0, 2).map((i) => i.id));
    expect(again.instances.map((i) => i.networks[0].ip)).toEqual(['10.0.1.3', '10.0.2.2', '10.0.1.4']);
    expect(again.created).toEqual([again.instances[2].id]);
    expect(again.deleted.map((i) => i.group)).toEqual(['tests']);
    expect(again.link_providers.map((p) => p.id)).toEqual([11, 12]);
    const keep = (i: InstanceRecord) => [i.agent_id, i.vm_cid, i.disk_cid, i.vm_created_at];
    expect(again.instances.slice(0, 2).map(keep)).toEqual(plan.instances.slice(0, 2).map(keep));
    expect(again.instances[2].bootstrap).toBe(false);
  });

  it('keeps what the agent reported, the ignore flag and the VM-less state of existing instances', () => {
    const first = input(MANIFEST);
    const plan = planDeployment(first);
    const [a, b] = plan.instances;
    Object.assign(a, { job_state: 'failing', ignore: true, vm_created_at: '2026-01-01T00:00:00Z' });
    Object.assign(b, { vm_cid: null, agent_id: null });
    const again = planDeployment({ ...first, existing: { instances: plan.instances, link_providers: [] } as unknown as DeploymentRecord });
    expect(again.instances.slice(0, 2).map((i) => [i.job_state, i.ignore, i.vm_created_at, i.vm_cid === null])).toEqual([
      ['failing', true, '2026-01-01T00:00:00Z', false],
      ['running', false, null, false],
    ]);
    // The one without a VM gets a new one.
    expect(again.created).toEqual([b.id]);
    expect(again.instances[2]).toMatchObject({ lifecycle: 'errand', agent_id: null, vm_cid: null, job_state: 'running', ignore: false, stemcell: { name: 'jammy-go', version: '1.10', api_version: 3 }, vm_type: 'default', jobs: ['smoke', 'worker'] });
  });

  it('sorts releases by name, lists only the stemcells in use, shares only on a literal true', () => {
    const two = `name: d
releases: [{name: tools}, {name: app}]
stemcells: [{alias: s, os: ubuntu-jammy}, {alias: n, os: ubuntu-noble}]
instance_groups:
${IG().replace('{name: web}', '{name: web, release: app, provides: {http: {shared: "yes", as: 5}}}')}`;
    const plan = planDeployment(input(two));
    expect(plan.releases).toEqual([
      { name: 'app', version: '1.10.0' },
      { name: 'tools', version: '2' },
    ]);
    expect(plan.stemcells).toEqual([{ name: 'jammy-go', version: '1.10' }]);
    expect(plan.link_providers.map((p) => [p.name, p.shared])).toEqual([['http', false]]);
    expect(planDeployment(input(two.replace('provides: {http: {shared: "yes", as: 5}}', 'provides: http'))).link_providers.map((p) => [p.name, p.shared])).toEqual([['http', false]]);
  });

  it('reuses a provider id only for the same group, job and link name; lists an errand once per group', () => {
    const p = (id: number, instance_group: string, job: string, original_name: string) => ({ id, name: original_name, original_name, type: 'http', shared: false, job, instance_group, network: 'net' });
    const existing = { instances: [], link_providers: [p(50, 'other', 'web', 'http'), p(51, 'g', 'api', 'http'), p(52, 'g', 'web', 'rest'), p(53, 'g', 'web', 'http')] } as unknown as DeploymentRecord;
    const plan = planDeployment(input(`${BASE}instance_groups:\n${IG()}`, { existing }));
    expect(plan.link_providers.map((x) => x.id)).toEqual([53]);
    const fresh = planDeployment(input(`${BASE}instance_groups:\n${IG()}`, { existing: { instances: [], link_providers: [p(50, 'other', 'web', 'http'), p(51, 'g', 'api', 'http'), p(52, 'g', 'web', 'rest')] } as unknown as DeploymentRecord }));
    expect(fresh.link_providers.map((x) => x.id)).toEqual([11]);
    const same = planDeployment(input(`${BASE}instance_groups:\n${IG('  lifecycle: errand\n', 'smoke').replace('{name: web}', '{name: smoke}')}`));
    expect(same.errands).toEqual([{ name: 'smoke', groups: ['smoke'] }]);
  });

  it('refuses custom providers the parser refuses', () => {
    const bad = (defs: string) => failure(() => planDeployment(input(`${BASE}instance_groups:\n${IG().replace('{name: web}', `{name: web, custom_provider_definitions: ${defs}}`)}`)));
    const where = "in job 'web' in instance group 'g'";
    expect(bad('[{name: http, type: http}]')).toEqual({ code: 100, status: 500, message: `Custom provider 'http' ${where} is already defined in release 'app'` });
    expect(bad('[{type: t}, {name: "", type: t}]').message).toBe(
      [`Name for custom link provider definition in manifest ${where} must be a valid non-empty string.`, `Name for custom link provider definition in manifest ${where} must be a valid non-empty string.`].join('\n'),
    );
    expect(bad('[{name: a, type: ""}, {name: a, type: t}, {name: a, type: t}]').message).toBe(
      [`Type for custom link provider definition in manifest ${where} must be a valid non-empty string.`, `Custom provider 'a' ${where} is defined multiple times in manifest.`].join('\n'),
    );
    expect(bad('{name: a}')).toEqual({ code: 40000, status: 400, message: `Property 'custom_provider_definitions' value ({"name":"a"}) did not match the required type 'Array'` });
    const api = failure(() => planDeployment(input(`${BASE}instance_groups:\n${IG().replace('{name: web}', '{name: api, custom_provider_definitions: [{name: rest, type: t}, {name: extra, type: t}]}')}`)));
    expect(api.message).toBe("Custom provider 'rest' in job 'api' in instance group 'g' is already defined in release 'app'");
    // Not a hash: no name, no type.
    expect(bad('[x]').message.split('\n')).toHaveLength(2);
  });
});

describe('link addresses', () => {
  it('sorts the query parts; the short form names the network and the group by number', () => {
    const q = { azIds: [3, 1], status: 4, short: null, group: 'Redis_Server', network: 'default', deployment: 'si_1' };
    expect(linkAddress(q)).toBe('q-a1a3s4.redis-server.default.si-1.bosh');
    expect(linkAddress({ ...q, azIds: [], status: 0, short: { network: 2, group: 7 } })).toBe('q-n2s0.q-g7.bosh');
    expect(linkAddress({ ...q, short: { network: 2, group: 7 } })).toBe('q-a1a3n2s4.q-g7.bosh');
  });
});
