import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../fakes/core/config.js';
import { Foundation } from '../../fakes/foundation.js';

let f: Foundation | undefined;
afterEach(async () => f?.close());

describe('foundation config file', () => {
  it('builds the example config: seed, clock start, extra UAA clients and users', async () => {
    const cfg = loadConfigFile(path.resolve(import.meta.dirname, '../../examples/foundation.yaml'));
    f = await Foundation.create({ config: cfg, clockMode: 'virtual' });
    expect(f.kernel.random.seed).toBe('my-team-ci');
    expect(f.clock.iso()).toBe('2026-01-01T00:00:00Z');
    expect(f.uaa.model.client('my-broker')).toMatchObject({ client_secret: 'my-broker-secret', access_token_validity: 600 });
    expect(f.uaa.model.userGroups(f.uaa.model.userByName('developer')!.id)).toContain('cloud_controller.write');
  });

  it('refuses a config with wrong types, naming the field', () => {
    expect(() => parseConfigText('network: { https: "yes" }')).toThrow(/https/);
    expect(() => parseConfigText('clock: { mode: sometimes }')).toThrow(/mode/);
  });

  it('refuses a clock start that is not a date', async () => {
    await expect(Foundation.create({ config: { clock: { start: 'soon' } } })).rejects.toThrow(/clock.start/);
  });
});
