/**
 * ODB's startup checks (`brokerinitiator`, `startupchecker/`): the CF API version and plan
 * consistency (unless `disable_cf_startup_checks`), the director's version against the features the
 * catalog uses, and BOSH authentication. All failures are reported together.
 * @module
 */
import { parseDirectorVersion, type BoshClient } from './clients/bosh.js';
import type { CcClient } from './clients/cc.js';
import type { BrokerConfig } from './config/types.js';

export const MINIMUM_CF_VERSION = '2.57.0';

/** The broker refused to start; `message` lists every failed check as ODB does. */
export class StartupError extends Error {
  override name = 'StartupError';
  constructor(readonly failures: string[]) {
    super(`The following broker startup checks failed: ${failures.join('; ')}`);
  }
}

/** blang/semver's strict `Make`: exactly `X.Y.Z` with optional pre-release/build. */
function strictSemver(v: string): [number, number, number] | undefined {
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

const lt = (a: number[], b: number[]) => {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
};

async function cfCheck(config: BrokerConfig, cc: CcClient): Promise<string | undefined> {
  let raw: string;
  try {
    raw = String((await cc.apiVersion()).api_version ?? '');
  } catch (err) {
    return `CF API error: ${(err as Error).message}. ODB requires minimum Cloud Foundry API version: ${MINIMUM_CF_VERSION}`;
  }
  const version = strictSemver(raw);
  if (!version) return `Cloud Foundry API version couldn't be parsed. Expected a semver, got: ${raw}.`;
  if (lt(version, strictSemver(MINIMUM_CF_VERSION)!)) {
    return `CF API error: ODB requires minimum Cloud Foundry API version '${MINIMUM_CF_VERSION}', got '${raw}'.`;
  }
  try {
    for (const { plan, count } of await cc.countInstances(config.service_catalog.id)) {
      if (count > 0 && !config.service_catalog.plans.some((p) => p.plan_id === plan.unique_id)) {
        return `plan ${plan.name} (${plan.unique_id}) was expected but is now missing. You cannot remove or change the plan_id of a plan which has existing service instances`;
      }
    }
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

function boshVersionCheck(config: BrokerConfig, rawVersion: string): string | undefined {
  const prefix = 'BOSH Director error: ';
  let v: ReturnType<typeof parseDirectorVersion>;
  try {
    v = parseDirectorVersion(rawVersion);
  } catch (err) {
    return `${prefix}${(err as Error).message}. ODB requires BOSH v257+.`;
  }
  if (v.type !== 'semver' && v.major < 3262) return `${prefix}API version is insufficient, ODB requires BOSH v257+.`;
  const plans = config.service_catalog.plans;
  const errands = plans.some((p) => (p.lifecycle_errands?.post_deploy?.length ?? 0) + (p.lifecycle_errands?.pre_delete?.length ?? 0) > 0);
  if (errands && !(v.type === 'semver' && v.major >= 261)) {
    return `${prefix}API version is insufficient, one or more plans are configured with lifecycle_errands which require BOSH v261+.`;
  }
  if (plans.some((p) => p.binding_with_dns?.length)) {
    const ok = v.type === 'semver' && (v.major > 266 || (v.major === 266 && v.minor >= 12)) && !(v.major === 267 && v.minor < 6);
    if (!ok) return `${prefix}API version is insufficient, one or more plans are configured with binding_with_dns which requires BOSH v266.12+ (v267.6+ on 267).`;
  }
  return undefined;
}

/** Runs every check; resolves when all pass, rejects with {@link StartupError} otherwise. */
export async function runStartupChecks(config: BrokerConfig, bosh: BoshClient, cc: CcClient | undefined): Promise<void> {
  const failures: string[] = [];
  if (cc) {
    const cfErr = await cfCheck(config, cc);
    if (cfErr) failures.push(cfErr);
  }
  try {
    const info = await bosh.info(true);
    const versionErr = boshVersionCheck(config, String(info.version ?? ''));
    if (versionErr) failures.push(versionErr);
  } catch (err) {
    failures.push(`BOSH Director error: ${(err as Error).message}`);
  }
  if (failures.length === 0) {
    try {
      await bosh.verifyAuth();
    } catch (err) {
      failures.push(`BOSH Director error: ${(err as Error).message}`);
    }
  }
  if (failures.length) throw new StartupError(failures);
}
