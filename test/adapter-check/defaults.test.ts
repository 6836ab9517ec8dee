import { describe, expect, it } from 'vitest';
import { askedFor, defaultConfig, initialLearnt, learnFromManifest, learnFromRefusal } from '../../adapter-check/defaults.js';
import { configProblems } from '../../adapter-check/check.js';
import { catalogPlans } from '../../adapter-check/odb-inputs.js';

/** The config adapter-check makes when it has none: what it starts from and what it learns. */

describe('the default config', () => {
  it('starts with one release (a placeholder job, as the SDK wants at least one), a stemcell and two plans without instance groups', () => {
    const config = defaultConfig(initialLearnt());
    expect(config.service_deployment).toEqual({ releases: [{ name: 'service', version: '1.0.0', jobs: ['service'] }], stemcells: [{ os: 'ubuntu-jammy', version: '1.423' }] });
    expect(catalogPlans(config).map((p) => [p.name, p.instance_groups])).toEqual([['small', []], ['large', []]]);
    expect(configProblems(config)).toEqual([]);
  });

  it('gives every learnt instance group one instance in each plan, small on one AZ, large with a disk over three', () => {
    const l = initialLearnt();
    l.instanceGroups.push('zookeeper', 'kafka');
    const [small, large] = catalogPlans(defaultConfig(l));
    expect(small.instance_groups).toEqual([
      { name: 'zookeeper', vm_type: 'small', instances: 1, networks: ['default'], azs: ['z1'] },
      { name: 'kafka', vm_type: 'small', instances: 1, networks: ['default'], azs: ['z1'] },
    ]);
    expect(large.instance_groups).toEqual([
      { name: 'zookeeper', vm_type: 'large', persistent_disk_type: '10GB', instances: 1, networks: ['default'], azs: ['z1', 'z2', 'z3'] },
      { name: 'kafka', vm_type: 'large', persistent_disk_type: '10GB', instances: 1, networks: ['default'], azs: ['z1', 'z2', 'z3'] },
    ]);
    expect(small.update).toBeUndefined();
    expect(large.update).toEqual({ canaries: 1, max_in_flight: 1, canary_watch_time: '30000-240000', update_watch_time: '30000-240000', serial: true });
  });
});

describe('learning from refusals', () => {
  it('reads the SDK examples\' "expected to find" and the SDK\'s "job not provided"', () => {
    expect(askedFor("[kafka-adapter] Invalid instance group configuration: expected to find: 'kafka_server, zookeeper_server' in list: ''\n")).toEqual({ instanceGroups: ['kafka_server', 'zookeeper_server'], jobs: [] });
    expect(askedFor("job 'redis-server' not provided\njob 'health' is not in any release of the service deployment")).toEqual({ instanceGroups: [], jobs: ['redis-server', 'health'] });
    expect(askedFor('Contact your operator, service configuration issue occurred')).toEqual({ instanceGroups: [], jobs: [] });
  });

  it('adds asked-for groups (and a job of the same name) and jobs, once; says whether it learnt anything', () => {
    const l = initialLearnt();
    expect(learnFromRefusal(l, "expected to find: 'redis' in list: ''")).toBe(true);
    expect(l.instanceGroups).toEqual(['redis']);
    expect(l.releases.get('service')!.jobs).toEqual(['service', 'redis']);
    expect(learnFromRefusal(l, "expected to find: 'redis' in list: ''")).toBe(false);
    expect(learnFromRefusal(l, "job 'redis' not provided")).toBe(false);
    expect(learnFromRefusal(l, "job 'metrics' not provided")).toBe(true);
    expect(l.releases.get('service')!.jobs).toEqual(['service', 'redis', 'metrics']);
    expect(learnFromRefusal(l, 'exit 1, nothing said')).toBe(false);
  });
});

describe('learning from the manifest', () => {
  it('lists the jobs each release gives, adds releases and stemcells the adapter names itself', () => {
    const l = initialLearnt();
    l.instanceGroups.push('redis');
    l.releases.get('service')!.jobs.push('redis', 'unused');
    learnFromManifest(l, {
      releases: [{ name: 'service', version: '1.0.0' }, { name: 'bpm', version: '1.2.3' }],
      stemcells: [{ alias: 'default', os: 'ubuntu-jammy', version: '1.423' }, { alias: 'x', os: 'ubuntu-noble', version: '1.5' }, { alias: 'y', os: 'ubuntu-noble', version: 'latest' }],
      instance_groups: [{ name: 'redis', jobs: [{ name: 'redis', release: 'service' }, { name: 'bpm', release: 'bpm' }] }],
    });
    expect(defaultConfig(l).service_deployment).toEqual({
      releases: [{ name: 'service', version: '1.0.0', jobs: ['redis'] }, { name: 'bpm', version: '1.2.3', jobs: ['bpm'] }],
      stemcells: [{ os: 'ubuntu-jammy', version: '1.423' }, { os: 'ubuntu-noble', version: '1.5' }],
    });
  });

  it('drops the default release when the manifest takes nothing from it', () => {
    const l = initialLearnt();
    learnFromManifest(l, { releases: [{ name: 'own', version: '2' }], instance_groups: [{ name: 'g', jobs: [{ name: 'j', release: 'own' }] }] });
    expect([...l.releases.keys()]).toEqual(['own']);
    // A manifest without jobs says nothing about releases: the default one stays.
    const m = initialLearnt();
    learnFromManifest(m, { instance_groups: [] });
    expect([...m.releases.keys()]).toEqual(['service']);
  });
});
