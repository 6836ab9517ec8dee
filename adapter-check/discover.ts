/**
 * With no ODB config, adapter-check asks the adapter what its plans must look like: it calls
 * generate-manifest with the default service deployment and plan, and each time the adapter
 * refuses naming instance groups or jobs it needs, adds them and asks again. The manifest it then
 * generates tells which releases, jobs and stemcell to seed on the director.
 * @module
 */
import { parse as parseYaml, stringify } from 'yaml';
import { AdapterError, AdapterOutputError, executableAdapter, type AdapterRunner, type Plan } from '../broker-under-test/adapter/index.js';
import type { CaseResult } from '../report/index.js';
import { isObj, type InputMode, type Obj } from './context.js';
import { defaultConfig, initialLearnt, learnFromManifest, learnFromRefusal, type Learnt } from './defaults.js';
import { CaseRecorder, findingDetails } from './findings.js';
import { catalogPlans, planInput, provisionRequest, serviceDeploymentInput } from './odb-inputs.js';
import { SecretSet } from './secrets.js';

/** Enough for an adapter that names one missing thing per refusal, with a few groups and jobs. */
const MAX_CALLS = 8;
const PROBE_INSTANCE = '0ad0c4ec-0000-4000-8000-0000000000ff';
const IDS = { organizationGuid: '0ad0c4ec-0000-4000-8000-0000000000f1', spaceGuid: '0ad0c4ec-0000-4000-8000-0000000000f2' };

export interface Discovery {
  /** The config to check with; absent when the adapter accepted no plan adapter-check could make. */
  config?: Obj;
  /** The setup case that says what was used (or why nothing could be). */
  result: CaseResult;
}

const HOW_TO_CONFIG = 'To check with the operator\'s own releases, stemcell and plans, pass --config FILE: an ODB broker config (bosh: and cf: are not needed), or put odb-config.yml beside the adapter.';

function summary(l: Learnt): string {
  const groups = l.instanceGroups.length ? l.instanceGroups.join(', ') : 'none';
  const releases = [...l.releases].map(([n, r]) => `${n}/${r.version} (jobs ${r.jobs.join(', ')})`).join('; ');
  return `instance groups ${groups}; releases ${releases}; stemcell ${l.stemcells.map((s) => `${s.os}/${s.version}`).join(', ')}`;
}

/** Learns a default config from the adapter (see the module comment); never rejects for the adapter's faults. */
export async function discoverDefaults(adapterPath: string, mode: InputMode, timeoutMs: number, runner?: AdapterRunner): Promise<Discovery> {
  const rec = new CaseRecorder('setup/default-config', 'no ODB config: the default service deployment and plans', 'setup', [], 0);
  const secrets = new SecretSet();
  const adapter = executableAdapter({ path: adapterPath, inputMode: mode, timeoutMs, runner, onCall: (c) => rec.record(c) });
  const learnt = initialLearnt();
  const log: string[] = [];
  let accepted = false;
  let unusable: string | undefined;
  for (let i = 0; i < MAX_CALLS && !accepted; i++) {
    const config = defaultConfig(learnt);
    const plan = catalogPlans(config)[0];
    const before = summary(learnt);
    try {
      const out = await adapter.generateManifest({
        serviceDeployment: serviceDeploymentInput(config, PROBE_INSTANCE),
        plan: planInput(config, plan) as unknown as Plan,
        requestParameters: provisionRequest(config, plan, IDS),
        previousManifest: '',
        previousPlan: null,
        previousSecrets: null,
        previousConfigs: null,
        uaaClient: null,
      });
      secrets.addManifest(out.manifest);
      secrets.addValues(out.secrets, true);
      const manifest = parseYaml(out.manifest) as unknown;
      if (isObj(manifest)) learnFromManifest(learnt, manifest);
      log.push(`generate-manifest with ${before}: exit 0; the manifest uses ${summary(learnt)}`);
      accepted = true;
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      if (err instanceof AdapterOutputError) {
        // It accepted the plan; what it printed is for the lifecycle checks to report.
        log.push(`generate-manifest with ${before}: exit 0, output not usable (${err.message})`);
        unusable = err.message;
        accepted = true;
        break;
      }
      const learnedSomething = learnFromRefusal(learnt, `${err.stdout}\n${err.stderr}`);
      log.push(`generate-manifest with ${before}: ${err.exitCode === null ? 'no exit' : `exit ${err.exitCode}`}${learnedSomething ? `; it asked for more (now ${summary(learnt)})` : ''}`);
      if (!learnedSomething) break;
    }
  }
  for (const c of rec.calls) secrets.addManifest(c.stdout);
  const config = defaultConfig(learnt);
  const configYaml = stringify(config);
  const calls = `what adapter-check asked the adapter (${mode} mode):\n${log.map((l, i) => `  ${i + 1}. ${l}`).join('\n')}`;
  const mask = (s: string) => secrets.mask(s);
  // The probe manifests' secrets are in the recorded calls too; reports get shared.
  const masked = (c: CaseResult): CaseResult => JSON.parse(mask(JSON.stringify(c))) as CaseResult;
  if (!accepted) {
    const f = findingDetails(adapterPath, {
      message: '',
      input: `the default plan '${String(catalogPlans(config)[0].name)}' (${summary(learnt)})`,
      expected: 'exit 0 with a manifest, or a refusal naming what the plan lacks ("expected to find: \'GROUP\' in list", "job \'JOB\' not provided")',
      why: 'Without an ODB config adapter-check makes the plans itself, from what the adapter asks for; this adapter refused without saying what it needs.',
      ...(rec.lastCall ? { call: rec.lastCall } : {}),
    }, mask);
    return {
      result: masked(rec.finish('failed', {
        message: `no ODB config, and the adapter accepted none of the default plans adapter-check made: ${rec.lastCall ? `generate-manifest ${rec.lastCall.timedOut ? 'was killed after the timeout' : `exited ${rec.lastCall.exitCode}`}` : 'it was not called'}. Pass --config FILE`,
        details: `${f.details}\n\n${calls}\n\n${HOW_TO_CONFIG}\n\nthe last config tried:\n${configYaml}`,
        ...(f.reproduction ? { reproduction: f.reproduction } : {}),
      })),
    };
  }
  const plans = catalogPlans(config).map((p) => `'${String(p.name)}'`).join(' and ');
  return {
    config,
    result: masked(rec.finish('warned', {
      message: `no ODB config: checked with adapter-check's default service_deployment and plans ${plans}, not the operator's (pass --config FILE for those)`,
      details: `learnt from the adapter: ${summary(learnt)}\n${HOW_TO_CONFIG}\n\n${calls}${unusable ? '\n(the lifecycle checks report the unusable output)' : ''}\n\nthe config used (save it as odb-config.yml beside the adapter and edit it, or pass it with --config):\n${configYaml}`,
    })),
  };
}
