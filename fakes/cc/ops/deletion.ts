import { ccError } from '../errors.js';
import type { CcModel } from '../model/model.js';
import type { Job, Org, Space } from '../model/state.js';
import type { BrokerSync } from './brokers.js';
import type { ServiceOps } from './service-ops.js';

/**
 * Recursive deletion of a space or an organization (v3 `space.delete` / `organization.delete` jobs):
 * service instances are deleted through their brokers (bindings first, async ones polled to the
 * end), then apps, roles, space-scoped brokers and the space itself. Any instance that cannot be
 * deleted fails the job with `CF-SpaceDeletionFailed` / `CF-OrganizationDeletionFailed` and leaves
 * the space (and what could not go) in place.
 */
export class Deletion {
  constructor(
    private readonly model: CcModel,
    private readonly ops: ServiceOps,
    private readonly brokers: BrokerSync,
  ) {}

  /** The failure messages of one space's deletion (empty when everything went). */
  async #deleteSpace(space: Space, userGuid?: string): Promise<string[]> {
    const m = this.model;
    const errors: string[] = [];
    for (const inst of m.all('instances').filter((i) => i.space_guid === space.guid)) {
      if (inst.type === 'user-provided') {
        this.ops.purgeInstance(inst);
        continue;
      }
      if (inst.last_operation?.state === 'in progress') {
        errors.push(`An operation for service instance ${inst.name} is in progress.`);
        continue;
      }
      const { done } = await this.ops.deleteInstance({ inst, userGuid, via: 'v3', withJob: false });
      const r = await done!;
      if (r.state === 'failed' && !r.gone) errors.push(r.error?.description ?? r.description ?? `Deletion of service instance ${inst.name} failed.`);
    }
    for (const b of m.all('brokers').filter((x) => x.space_guid === space.guid)) {
      if (this.brokers.hasInstances(b)) errors.push(ccError('ServiceBrokerNotRemovable', b.name).detail);
      else this.brokers.removeBroker(b);
    }
    if (errors.length) return errors;
    for (const a of m.all('apps').filter((x) => x.space_guid === space.guid)) m.remove('apps', a.guid);
    for (const r of m.all('roles').filter((x) => x.space_guid === space.guid)) m.remove('roles', r.guid);
    m.remove('spaces', space.guid);
    return [];
  }

  async space(space: Space, job: Job, userGuid?: string): Promise<void> {
    const errors = await this.#deleteSpace(space, userGuid);
    if (errors.length) {
      const e = ccError('SpaceDeletionFailed', space.name, errors.map((x) => `\t${x}`).join('\n\n'));
      this.model.setJob(job, 'FAILED', { code: e.code, title: e.title, detail: e.detail });
    } else this.model.setJob(job, 'COMPLETE');
  }

  async org(org: Org, job: Job, userGuid?: string): Promise<void> {
    const m = this.model;
    const errors: string[] = [];
    for (const space of m.all('spaces').filter((s) => s.org_guid === org.guid)) {
      const spaceErrors = await this.#deleteSpace(space, userGuid);
      if (spaceErrors.length) errors.push(ccError('SpaceDeletionFailed', space.name, spaceErrors.map((x) => `\t${x}`).join('\n\n')).detail);
    }
    if (errors.length) {
      const e = ccError('OrganizationDeletionFailed', org.name, errors.map((x) => `\t${x}`).join('\n\n'));
      m.setJob(job, 'FAILED', { code: e.code, title: e.title, detail: e.detail });
      return;
    }
    for (const v of m.all('visibilities').filter((x) => x.org_guid === org.guid)) m.remove('visibilities', v.guid);
    for (const r of m.all('roles').filter((x) => x.org_guid === org.guid)) m.remove('roles', r.guid);
    m.remove('orgs', org.guid);
    m.setJob(job, 'COMPLETE');
  }
}
