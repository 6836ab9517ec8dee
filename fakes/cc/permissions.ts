import { canReadAll, type Principal } from './auth.js';
import type { CcModel } from './model/model.js';
import type { Plan } from './model/state.js';

/**
 * What a caller may see and change, from CC's roles: admins everything; admin_read_only and
 * global_auditor read everything; others see the orgs and spaces they have roles in, and only
 * space developers may create and change service instances and bindings in a space.
 */
export class Access {
  readonly all: boolean;
  readonly spaces = new Set<string>();
  readonly orgs = new Set<string>();
  readonly devSpaces = new Set<string>();
  readonly managedOrgs = new Set<string>();

  constructor(
    private readonly model: CcModel,
    readonly p: Principal,
  ) {
    this.all = canReadAll(p);
    if (this.all) return;
    for (const r of model.rolesOf(p.userGuid)) {
      if (r.space_guid) {
        this.spaces.add(r.space_guid);
        const s = model.get('spaces', r.space_guid);
        if (s) this.orgs.add(s.org_guid);
        if (r.type === 'space_developer') this.devSpaces.add(r.space_guid);
      } else if (r.org_guid) {
        this.orgs.add(r.org_guid);
        if (r.type === 'organization_manager') {
          this.managedOrgs.add(r.org_guid);
          for (const s of model.all('spaces')) if (s.org_guid === r.org_guid) this.spaces.add(s.guid);
        }
      }
    }
  }

  get admin(): boolean {
    return this.p.admin;
  }

  seesSpace(guid: string | undefined): boolean {
    return !!guid && (this.all || this.spaces.has(guid));
  }

  seesOrg(guid: string | undefined): boolean {
    return !!guid && (this.all || this.orgs.has(guid));
  }

  /** Create/change service instances, bindings and apps in the space. */
  developsIn(spaceGuid: string | undefined): boolean {
    return !!spaceGuid && (this.p.admin || this.devSpaces.has(spaceGuid));
  }

  managesOrg(orgGuid: string | undefined): boolean {
    return !!orgGuid && (this.p.admin || this.managedOrgs.has(orgGuid));
  }

  seesPlan(plan: Plan): boolean {
    if (this.all) return true;
    if (plan.space_guid) return this.spaces.has(plan.space_guid);
    if (plan.public) return true;
    return this.model.visibilitiesOf(plan.guid).some((v) => this.orgs.has(v.org_guid));
  }

  /** A plan a user may provision in this space (admins: any plan). */
  mayUsePlanIn(plan: Plan, spaceGuid: string): boolean {
    if (this.p.admin) return true;
    if (plan.space_guid) return plan.space_guid === spaceGuid;
    if (plan.public) return true;
    const org = this.model.get('spaces', spaceGuid)?.org_guid;
    return this.model.visibilitiesOf(plan.guid).some((v) => v.org_guid === org);
  }
}
