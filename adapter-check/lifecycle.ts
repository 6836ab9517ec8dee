/**
 * One plan's life on the fake director, with the adapter calls ODB makes and in ODB's order:
 * provision (generate-manifest, configs, deploy, dashboard-url, post-deploy errands), bind, plan
 * schemas, update (pending-changes check, arbitrary parameters, plan change), upgrade to new
 * release versions, unbind, pre-delete errands and delete. Each step is a case.
 * @module
 */
import { parse as parseYaml } from 'yaml';
import { AdapterError, AppGuidNotProvidedError, NotImplementedError, UnknownFailureError, type GenerateManifestOutput, type Plan, type PlanSchema, type ServiceDeployment } from '../broker-under-test/adapter/index.js';
import { isObj, unexpectedAdapterError, type InputMode, type Obj, type RunContext, type StepResult } from './context.js';
import type { CaseRecorder } from './findings.js';
import { manifestChanges } from './manifest-diff.js';
import { generateManifestProblems, planSchemaProblems } from './output-checks.js';
import { seedDirector } from './seed.js';
import { bindRequest, deploymentName, planInput, provisionRequest, serviceDeploymentInput, unbindRequest, updateRequest } from './odb-inputs.js';
import { updateParameters } from './schema-params.js';

const IDS = { organizationGuid: 'b5a5b8a1-0000-4000-8000-00000000000a', spaceGuid: 'b5a5b8a1-0000-4000-8000-00000000000b' };
const APP_GUID = 'b5a5b8a1-0000-4000-8000-0000000000ab';

interface Deployed {
  manifest: string;
  plan: Obj;
  configs: Record<string, string>;
}

/** The next release version: the last number goes up by one (`16.2.0` → `16.2.1`). */
export function nextVersion(v: string): string {
  return /\d+$/.test(v) ? v.replace(/(\d+)$/, (n) => String(Number(n) + 1)) : `${v}.1`;
}

export class PlanLifecycle {
  private readonly instanceId: string;
  private readonly deployment: string;
  private readonly suite: string;
  private readonly tags: string[];
  private blockedBy: string | undefined;
  private steps = 0;
  private deployed: Deployed | undefined;
  private bindingId: string | undefined;
  private schemas: PlanSchema | undefined;
  /** Values for CredHub from the last generate-manifest (secure manifests), stored when deployed. */
  private pendingSecrets = new Map<string, string>();
  /** The service deployment as the operator's config has it now (upgrade bumps its versions). */
  private config: Obj;

  constructor(
    private readonly ctx: RunContext,
    private readonly mode: InputMode,
    private readonly plan: Obj,
    private readonly otherPlan: Obj | undefined,
  ) {
    this.instanceId = ctx.guid();
    this.deployment = deploymentName(this.instanceId);
    this.suite = `${mode} mode › plan ${String(plan.name)}`;
    this.tags = [mode, `plan:${String(plan.name)}`];
    this.config = structuredClone(ctx.config);
  }

  private get adapter() {
    return this.ctx.adapter(this.mode);
  }

  private planOf(p: Obj): Plan {
    return planInput(this.config, p) as unknown as Plan;
  }

  private serviceDeployment(): ServiceDeployment {
    return serviceDeploymentInput(this.config, this.instanceId);
  }

  private async step(key: string, name: string, body: (rec: CaseRecorder) => Promise<StepResult>): Promise<boolean> {
    const id = `${this.mode}/${String(this.plan.name)}/${key}`;
    // Numbered so that reports, which sort by title, list the steps in the order they ran.
    const title = `${String(++this.steps).padStart(2, '0')} ${name}`;
    if (this.blockedBy) {
      this.ctx.notRun(id, title, this.suite, this.tags, `not reached: "${this.blockedBy}" failed`);
      return false;
    }
    const r = await this.ctx.runCase(id, title, this.suite, this.tags, body);
    if (r.outcome === 'failed' && r.blocking) this.blockedBy = title;
    return r.outcome !== 'failed';
  }

  async run(): Promise<void> {
    await this.step('provision/generate-manifest', 'provision: generate-manifest', (rec) => this.provisionManifest(rec));
    await this.step('provision/deploy', 'provision: the director deploys the manifest', () => this.deployCurrent('provision'));
    await this.step('provision/dashboard-url', 'provision: dashboard-url', (rec) => this.dashboardUrl(rec));
    await this.step('provision/post-deploy', 'provision: post-deploy errands', () => this.errands('post_deploy', this.plan));
    await this.step('bind/create-binding', 'bind: create-binding with the VMs the director reports', (rec) => this.createBinding(rec));
    await this.step('bind/service-key', 'bind: a service key (no app GUID)', (rec) => this.serviceKey(rec));
    await this.step('catalog/generate-plan-schemas', 'catalog: generate-plan-schemas', (rec) => this.planSchemas(rec));
    await this.step('update/pending-changes', 'update: previous_manifest gives back the deployed manifest', (rec) => this.pendingChanges(rec));
    await this.step('update/parameters', 'update: arbitrary parameters', (rec) => this.updateWithParameters(rec));
    await this.step('update/plan-change', 'update: plan change', (rec) => this.planChange(rec));
    await this.step('upgrade', 'upgrade: new release versions', (rec) => this.upgrade(rec));
    await this.step('errors/no-vms', 'failure: create-binding with no VMs', (rec) => this.bindWithoutVms(rec));
    await this.step('unbind/delete-binding', 'unbind: delete-binding', (rec) => this.deleteBinding(rec));
    await this.step('delete', 'delete: pre-delete errands, then the deployment', () => this.remove());
  }

  // ---- generate-manifest and deploy ----

  private inputWords(kind: string, planName: unknown, extra = ''): string {
    return `${kind} of plan '${String(planName)}' (deployment ${this.deployment})${extra}`;
  }

  /** Secrets ODB passes along (`previous_secrets`, binding `secrets`): only with secure manifests. */
  private resolvedSecrets(manifest: string): Record<string, string> | null {
    return this.ctx.secureManifests ? this.ctx.credhub.resolve(manifest) : null;
  }

  /**
   * generate-manifest, with ODB's checks and the output shape checks; throws AdapterError. With
   * secure manifests, the manifest comes back as ODB would deploy it (CredHub paths for
   * `((odb_secret:...))`), and the values wait in `pendingSecrets` until the deploy.
   */
  private async generate(rec: CaseRecorder, plan: Obj, previous: Deployed | undefined, requestParameters: Obj): Promise<GenerateManifestOutput> {
    let out: GenerateManifestOutput;
    try {
      out = await this.adapter.generateManifest({
        serviceDeployment: this.serviceDeployment(),
        plan: this.planOf(plan),
        requestParameters,
        previousManifest: previous?.manifest ?? '',
        previousPlan: previous ? this.planOf(previous.plan) : null,
        previousSecrets: previous ? this.resolvedSecrets(previous.manifest) : null,
        previousConfigs: previous ? previous.configs : null,
        uaaClient: null,
      });
    } catch (err) {
      this.ctx.noteFailure(this.mode, err, rec);
      throw err;
    }
    this.ctx.secrets.addManifest(out.manifest);
    this.ctx.secrets.addValues(out.secrets, true);
    if (!this.ctx.secureManifests) return out;
    const managed = this.ctx.credhub.manage(this.deployment, out.manifest, out.secrets ?? {});
    this.pendingSecrets = managed.values;
    return { ...out, manifest: managed.manifest };
  }

  /** Legacy mode prints bare YAML; stdin mode a document whose fields ODB decodes strictly. */
  private shapeProblems(rec: CaseRecorder): string[] {
    return this.mode === 'stdin' ? generateManifestProblems(rec.calls.filter((c) => c.subcommand === 'generate-manifest').at(-1)?.stdout) : [];
  }

  private async provisionManifest(rec: CaseRecorder): Promise<StepResult> {
    const input = this.inputWords('provision', this.plan.name, ', no previous manifest, no parameters');
    const expected = this.mode === 'stdin'
      ? 'exit 0, and on stdout one JSON document {"manifest": "<BOSH manifest YAML>", "secrets": {...}, "configs": {...}}'
      : 'exit 0, and the BOSH manifest YAML on stdout';
    let out: GenerateManifestOutput;
    try {
      out = await this.generate(rec, this.plan, undefined, provisionRequest(this.config, this.plan, IDS));
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      const shape = this.shapeProblems(rec);
      if (shape.length) {
        return { outcome: 'failed', blocking: true, message: `generate-manifest printed a document ODB cannot use: ${shape.join('; ')}`, finding: { message: '', input, expected, why: 'ODB reads the manifest from the "manifest" field and deploys it; without it the deployment cannot be made (SDK MarshalledGenerateManifest).' } };
      }
      const u = unexpectedAdapterError(err, rec, input, expected);
      return { outcome: 'failed', blocking: true, ...u };
    }
    const shape = this.shapeProblems(rec);
    if (shape.length) {
      return { outcome: 'failed', blocking: true, message: `generate-manifest printed a document ODB cannot use: ${shape.join('; ')}`, finding: { message: '', input, expected, why: 'ODB decodes stdout into the SDK\'s {manifest, secrets, configs}; a field of the wrong type fails the provision.' } };
    }
    this.deployed = { manifest: out.manifest, plan: this.plan, configs: out.configs ?? {} };
    const warnings = this.odbSecretWarnings(out);
    if (warnings.length) return { outcome: 'warned', message: warnings[0], details: warnings.join('\n') };
    return { outcome: 'passed' };
  }

  private odbSecretWarnings(out: GenerateManifestOutput): string[] {
    const refs = [...new Set([...out.manifest.matchAll(/\(\(odb_secret:([^()\s]+)\)\)/g)].map((m) => m[1]))];
    if (refs.length && !this.ctx.secureManifests) {
      return [`the manifest refers to ${refs.map((r) => `((odb_secret:${r}))`).join(', ')} but broker.enable_secure_manifests is off: ODB deploys the reference as it is, and BOSH finds no such variable`];
    }
    return refs.filter((r) => !(r in (out.secrets ?? {}))).map((r) => `the manifest refers to ((odb_secret:${r})) but "secrets" has no value for "${r}": ODB has nothing to store in CredHub`);
  }

  /** Seeds the director with what the manifest needs from the operator's releases, then deploys. */
  private async deployCurrent(what: string): Promise<StepResult> {
    const d = this.deployed!;
    seedDirector(this.ctx, this.config, d.manifest);
    this.ctx.credhub.put(this.pendingSecrets);
    for (const [type, content] of Object.entries(d.configs)) {
      const refused = await this.ctx.director.updateConfig(type, this.deployment, content);
      if (refused) {
        return { outcome: 'failed', blocking: true, message: `the director refused the ${type} config from generate-manifest: ${refused}`, details: `ODB uploads each entry of "configs" with POST /configs before deploying (odb-broker.md §1.12).\n\n${type} config:\n${content}` };
      }
    }
    const task = await this.ctx.director.deploy(this.deployment, d.manifest, this.instanceId);
    if (task.state === 'done') return { outcome: 'passed' };
    const events = await this.ctx.director.taskEvents(task.id);
    const error = events.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { error?: { code: number; message: string } }).find((e) => e.error)?.error;
    return {
      outcome: 'failed',
      blocking: true,
      message: `the director refused the ${what} manifest: ${error?.message ?? task.result ?? task.state}`,
      finding: {
        message: '',
        call: undefined,
        input: `the manifest generate-manifest printed for the ${what} of plan '${String(d.plan.name)}'`,
        expected: 'a manifest the director deploys: every instance group, job, release, stemcell, network, AZ, VM type and disk type it names must exist',
        why: `ODB deploys the manifest exactly as printed; BOSH task ${task.id} ended in '${task.state}'${error ? ` with error ${error.code}` : ''}, so the ${what} fails and the operator sees this in \`bosh task ${task.id}\`.`,
        more: `manifest:\n${d.manifest}`,
      },
    };
  }

  // ---- provision: dashboard and errands ----

  private async dashboardUrl(rec: CaseRecorder): Promise<StepResult> {
    const input = `instance ${this.instanceId}, plan '${String(this.plan.name)}', the deployed manifest`;
    try {
      await this.adapter.dashboardUrl({ instanceId: this.instanceId, plan: this.planOf(this.plan), manifest: this.deployed!.manifest });
      const call = rec.lastCall;
      let doc: unknown;
      try {
        doc = JSON.parse(call?.stdout ?? '');
      } catch {
        doc = undefined;
      }
      const url = isObj(doc) ? doc.dashboard_url : undefined;
      if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+/.test(url)) {
        return {
          outcome: 'failed',
          message: typeof url === 'string' ? `dashboard-url printed "${url}", not an absolute http(s) URL` : 'dashboard-url printed no "dashboard_url" string',
          finding: { message: '', input, expected: 'exit 0 and {"dashboard_url": "https://..."} on stdout, or exit 10 when there is no dashboard', why: 'ODB returns dashboard_url in the provision response; Cloud Foundry shows it to users as a link.' },
        };
      }
      return { outcome: 'passed' };
    } catch (err) {
      this.ctx.noteFailure(this.mode, err, rec);
      if (err instanceof NotImplementedError) return { outcome: 'not-applicable', message: 'dashboard-url exits 10 (not implemented): ODB shows no dashboard, which is allowed' };
      if (!(err instanceof AdapterError)) throw err;
      return { outcome: 'failed', ...unexpectedAdapterError(err, rec, input, 'exit 0 with {"dashboard_url": "..."}, or exit 10 when there is no dashboard') };
    }
  }

  private async errands(kind: 'post_deploy' | 'pre_delete', plan: Obj): Promise<StepResult> {
    const list = isObj(plan.lifecycle_errands) && Array.isArray(plan.lifecycle_errands[kind]) ? (plan.lifecycle_errands[kind] as Obj[]) : [];
    if (!list.length) return { outcome: 'not-applicable', message: `plan '${String(plan.name)}' has no ${kind.replace('_', '-')} errands` };
    for (const e of list) {
      const name = String(e.name);
      const r = await this.ctx.director.runErrand(this.deployment, name, Array.isArray(e.instances) ? e.instances.map(String) : [], this.instanceId);
      if (r.task.state !== 'done' || r.exitCode !== 0) {
        const events = await this.ctx.director.taskEvents(r.task.id);
        return {
          outcome: 'failed',
          blocking: kind === 'post_deploy',
          message: `the ${kind.replace('_', '-')} errand '${name}' could not run: ${r.task.result ?? `exit ${r.exitCode}`}`,
          finding: {
            message: '',
            input: `the manifest generate-manifest printed for plan '${String(plan.name)}'`,
            expected: `an instance group '${name}' with lifecycle: errand (or a job '${name}' the director can run as an errand)`,
            why: `The plan's lifecycle_errands.${kind} names '${name}'; ODB runs it after every ${kind === 'post_deploy' ? 'deploy and reports the operation failed' : 'delete request and keeps the instance'} when it cannot (odb-broker.md §1.9).`,
            more: `task ${r.task.id} events:\n${events}`,
          },
        };
      }
    }
    return { outcome: 'passed' };
  }

  // ---- bind ----

  private async bindInputs(vms: Record<string, string[]>, dnsAddresses: Record<string, string> = {}) {
    return {
      bindingId: this.bindingId!,
      boshVms: vms,
      manifest: (await this.ctx.director.deployedManifest(this.deployment)) ?? this.deployed!.manifest,
      secrets: this.resolvedSecrets(this.deployed!.manifest),
      dnsAddresses,
    };
  }

  /** The plan's binding_with_dns addresses, as ODB looks them up before create- and delete-binding. */
  private async dns(): Promise<{ addresses: Record<string, string>; missing: Obj[] }> {
    const entries = Array.isArray(this.deployed!.plan.binding_with_dns) ? (this.deployed!.plan.binding_with_dns as unknown[]).filter(isObj) : [];
    return this.ctx.director.dnsAddresses(this.deployment, entries);
  }

  private missingDns(missing: Obj[]): StepResult {
    const e = missing[0];
    return {
      outcome: 'failed',
      message: `the deployment has no shared link '${String(e.link_provider)}' on instance group '${String(e.instance_group)}', which the plan's binding_with_dns '${String(e.name)}' names`,
      finding: {
        message: '',
        call: undefined,
        input: `the manifest generate-manifest printed for plan '${String(this.deployed!.plan.name)}'`,
        expected: `a job in instance group '${String(e.instance_group)}' that provides a link named '${String(e.link_provider)}' (its name, or \`as\`) with shared: true`,
        why: 'For binding_with_dns ODB looks the provider up with GET /link_providers and fails the bind when there is none (odb-broker.md §1.13).',
      },
    };
  }

  private async createBinding(rec: CaseRecorder): Promise<StepResult> {
    if (this.plan.bindable === false || (isObj(this.ctx.config.service_catalog) && this.ctx.config.service_catalog.bindable === false && this.plan.bindable !== true)) {
      return { outcome: 'not-applicable', message: `plan '${String(this.plan.name)}' is not bindable` };
    }
    this.bindingId = this.ctx.guid();
    const vms = await this.ctx.director.boshVms(this.deployment);
    await this.ctx.director.variables(this.deployment);
    const dns = await this.dns();
    if (dns.missing.length) {
      this.bindingId = undefined;
      return this.missingDns(dns.missing);
    }
    const input = `binding ${this.bindingId}, bosh_vms ${JSON.stringify(vms)}${Object.keys(dns.addresses).length ? `, dns_addresses ${JSON.stringify(dns.addresses)}` : ''}, the deployed manifest, an app GUID, no parameters`;
    const expected = 'exit 0 and {"credentials": {...}} on stdout';
    let credentials: Record<string, unknown>;
    try {
      const b = await this.adapter.createBinding({ ...(await this.bindInputs(vms, dns.addresses)), requestParameters: bindRequest(this.config, this.plan, IDS, APP_GUID) });
      credentials = b.credentials;
    } catch (err) {
      this.ctx.noteFailure(this.mode, err, rec);
      if (!(err instanceof AdapterError)) throw err;
      this.bindingId = undefined;
      return { outcome: 'failed', ...unexpectedAdapterError(err, rec, input, expected) };
    }
    this.ctx.secrets.addValues(credentials);
    let doc: unknown;
    try {
      doc = JSON.parse(rec.lastCall?.stdout ?? '');
    } catch {
      doc = undefined;
    }
    if (!isObj(doc) || !isObj(doc.credentials)) {
      return {
        outcome: 'failed',
        message: isObj(doc) ? 'create-binding printed no "credentials" object' : 'create-binding printed JSON that is not an object',
        finding: { message: '', input, expected, why: 'ODB returns the "credentials" object to Cloud Foundry, which gives it to the app in VCAP_SERVICES; without it the app gets nothing to connect with.' },
      };
    }
    for (const k of ['syslog_drain_url', 'route_service_url', 'backup_agent_url']) {
      if (doc[k] !== undefined && typeof doc[k] !== 'string') {
        return { outcome: 'failed', message: `create-binding printed "${k}" as ${typeof doc[k]}, not a string`, finding: { message: '', input, expected: `"${k}" a string URL, or absent`, why: 'ODB decodes the binding into the SDK Binding type; a wrong type fails the bind.' } };
      }
    }
    const ips = [...Object.values(vms).flat(), ...Object.values(dns.addresses)];
    const text = JSON.stringify(credentials);
    if (!Object.keys(credentials).length) return { outcome: 'warned', message: 'create-binding gave empty credentials: the app gets nothing to connect with' };
    if (ips.length && !ips.some((ip) => text.includes(ip))) {
      return { outcome: 'warned', message: `the credentials name none of the instance's VMs (${ips.join(', ')}): apps usually need an address from bosh_vms` };
    }
    return { outcome: 'passed' };
  }

  /**
   * `cf create-service-key`: ODB passes a bind request without an app GUID. Exit 0 (then unbound
   * again) or 42 ("app GUID not provided", OSB 422 RequiresApp) are both the adapter's choice.
   */
  private async serviceKey(rec: CaseRecorder): Promise<StepResult> {
    if (!this.bindingId) return { outcome: 'not-applicable', message: 'no binding was made' };
    const vms = await this.ctx.director.boshVms(this.deployment);
    const dns = await this.dns();
    const inputs = { ...(await this.bindInputs(vms, dns.addresses)), bindingId: this.ctx.guid() };
    const input = `binding ${inputs.bindingId} for a service key: bosh_vms ${JSON.stringify(vms)}, the deployed manifest, no app GUID (bind_resource is empty)`;
    try {
      await this.adapter.createBinding({ ...inputs, requestParameters: bindRequest(this.config, this.plan, IDS, undefined) });
    } catch (err) {
      this.ctx.noteFailure(this.mode, err, rec);
      if (!(err instanceof AdapterError)) throw err;
      if (err instanceof AppGuidNotProvidedError) return { outcome: 'passed', message: 'refused with exit 42: service keys get 422 RequiresApp' };
      return { outcome: 'failed', ...unexpectedAdapterError(err, rec, input, 'exit 0 with credentials, or exit 42 when a binding needs an app') };
    }
    try {
      await this.adapter.deleteBinding({ ...inputs, requestParameters: unbindRequest(this.config, this.plan) });
    } catch (err) {
      this.ctx.noteFailure(this.mode, err, rec);
      if (!(err instanceof AdapterError)) throw err;
      return { outcome: 'failed', ...unexpectedAdapterError(err, rec, `deleting the service key's binding ${inputs.bindingId}`, 'exit 0') };
    }
    return { outcome: 'passed' };
  }

  private async bindWithoutVms(rec: CaseRecorder): Promise<StepResult> {
    if (!this.bindingId) return { outcome: 'not-applicable', message: 'no binding was made' };
    try {
      await this.adapter.createBinding({ ...(await this.bindInputs({})), bindingId: this.ctx.guid(), requestParameters: bindRequest(this.config, this.plan, IDS, APP_GUID) });
      return { outcome: 'passed', message: 'create-binding succeeded with an empty bosh_vms' };
    } catch (err) {
      this.ctx.noteFailure(this.mode, err, rec);
      if (!(err instanceof AdapterError)) throw err;
      if (err instanceof UnknownFailureError) {
        const leaked = this.ctx.secrets.foundIn(err.stdout);
        if (leaked.length) return this.leak(err, rec, 'create-binding with an empty bosh_vms (an instance whose VMs are being recreated)');
        return { outcome: 'passed', message: err.stdout.trim() ? `refused, telling the user: ${err.stdout.trim().split('\n')[0]}` : 'refused, with nothing on stdout (users see ODB\'s generic message)' };
      }
      return { outcome: 'failed', ...unexpectedAdapterError(err, rec, 'create-binding with an empty bosh_vms', 'exit 0, or exit 1 with a message for the user') };
    }
  }

  /** A failed call printed a secret on stdout, which ODB shows to the Cloud Foundry user. */
  leak(err: AdapterError, rec: CaseRecorder, input: string): StepResult {
    const call = rec.calls.filter((c) => c.subcommand === err.subcommand).at(-1);
    const found = this.ctx.secrets.foundIn(err.stdout);
    return {
      outcome: 'failed',
      message: `${err.subcommand} exited ${err.exitCode} and printed a secret on stdout (shown to the Cloud Foundry user)`,
      finding: {
        message: '',
        input,
        expected: 'a message for the user on stdout without any secret (details for the operator belong on stderr)',
        why: `On a failure ODB shows the adapter's stdout to the Cloud Foundry user who made the request (odb-broker.md §6). ${found.length} secret value(s) from the manifest or credentials appeared in it (masked as *** here).`,
        ...(call ? { call } : {}),
      },
    };
  }

  // ---- plan schemas ----

  private async planSchemas(rec: CaseRecorder): Promise<StepResult> {
    const enabled = isObj(this.ctx.config.broker) && this.ctx.config.broker.enable_plan_schemas === true;
    const input = `plan '${String(this.plan.name)}'`;
    const expected = 'exit 0 and {"service_instance": {"create": {"parameters": {...}}, "update": {"parameters": {...}}}, "service_binding": {"create": {"parameters": {...}}}}';
    try {
      this.schemas = await this.adapter.generatePlanSchemas({ plan: this.planOf(this.plan) });
    } catch (err) {
      this.ctx.noteFailure(this.mode, err, rec);
      if (!(err instanceof AdapterError)) throw err;
      if (err instanceof NotImplementedError && !enabled) return { outcome: 'not-applicable', message: 'generate-plan-schemas exits 10 (not implemented); fine while broker.enable_plan_schemas is off' };
      const u = unexpectedAdapterError(err, rec, input, expected);
      return { outcome: 'failed', message: u.message, finding: { ...u.finding, why: enabled ? 'broker.enable_plan_schemas is on: ODB calls generate-plan-schemas for every plan to build its catalog, and fails to start when it cannot.' : u.finding.why } };
    }
    const problems = planSchemaProblems(this.schemas);
    if (problems.length) {
      return {
        outcome: enabled ? 'failed' : 'warned',
        message: `generate-plan-schemas: ${problems[0]}`,
        finding: { message: '', input, expected, why: 'ODB puts these schemas in the catalog as the plan\'s "schemas"; Cloud Controller refuses a catalog whose schemas are malformed, and validates users\' parameters with them.', more: problems.join('\n') },
      };
    }
    return { outcome: 'passed' };
  }

  // ---- update and upgrade ----

  /** ODB's pending-changes check: regenerate with the deployed plan and manifest; any change refuses the update. */
  private async pendingChanges(rec: CaseRecorder): Promise<StepResult> {
    const d = this.deployed!;
    d.configs = await this.ctx.director.configs(this.deployment);
    const input = this.inputWords('update', d.plan.name, ': previous_manifest = the deployed manifest, previous_plan = plan = the deployed plan, no parameters');
    let out: GenerateManifestOutput;
    try {
      out = await this.generate(rec, d.plan, d, {});
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      return { outcome: 'failed', ...unexpectedAdapterError(err, rec, input, 'exit 0 and the same manifest as deployed') };
    }
    const changes = [...manifestChanges(d.manifest, out.manifest), ...this.ctx.credhub.changed(this.pendingSecrets).map((n) => `secrets.${n}: (a secret) → (another secret)`)];
    if (changes.length) {
      return {
        outcome: 'failed',
        message: `generate-manifest does not give back the deployed manifest when handed it as previous_manifest (${changes.length} change(s), first: ${changes[0]})`,
        finding: {
          message: '',
          input,
          expected: 'the deployed manifest again (the update block aside): values the adapter generated (passwords, ids) and parameters users gave earlier are read back from previous_manifest',
          why: 'ODB regenerates the manifest with the deployed plan before every update and refuses the update ("pending changes") when anything differs; an adapter that regenerates secrets would also rotate them on every upgrade-all and break existing bindings (SDK: generate-manifest must be idempotent given the previous manifest).',
          more: `changes from the deployed manifest:\n${changes.map((c) => `  ${c}`).join('\n')}`,
        },
      };
    }
    return { outcome: 'passed' };
  }

  private async redeploy(rec: CaseRecorder, plan: Obj, parameters: Obj, what: string, inputWords: string): Promise<StepResult> {
    const d = this.deployed!;
    d.configs = await this.ctx.director.configs(this.deployment);
    let out: GenerateManifestOutput;
    try {
      out = await this.generate(rec, plan, d, updateRequest(this.config, plan, d.plan, IDS, parameters));
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      if (err instanceof UnknownFailureError) {
        if (this.ctx.secrets.foundIn(err.stdout).length) return this.leak(err, rec, inputWords);
        const said = err.stdout.trim();
        // Refusing is the adapter's right (a smaller plan, say); the user should be told why.
        if (said) return { outcome: 'passed', message: `${what} refused, telling the user: ${said.split('\n')[0]}` };
        return { outcome: 'warned', message: `${what} refused with nothing on stdout: users see only ODB's generic error`, finding: { message: '', input: inputWords, expected: `exit 0, or exit 1 with a message for the user on stdout when the ${what} is not possible`, why: 'On exit 1 ODB shows stdout to the Cloud Foundry user; when it is empty they only learn that something went wrong.' } };
      }
      return { outcome: 'failed', ...unexpectedAdapterError(err, rec, inputWords, 'exit 0 and the updated manifest') };
    }
    this.deployed = { manifest: out.manifest, plan, configs: out.configs ?? {} };
    const deployed = await this.deployCurrent(what);
    if (deployed.outcome !== 'passed') return deployed;
    return this.errands('post_deploy', plan).then((e) => (e.outcome === 'failed' ? e : { outcome: 'passed' as const }));
  }

  private async updateWithParameters(rec: CaseRecorder): Promise<StepResult> {
    const params = updateParameters(this.schemas);
    if (!Object.keys(params).length) return { outcome: 'not-applicable', message: 'the plan schema declares no update parameters adapter-check can fill' };
    const input = this.inputWords('update', this.deployed!.plan.name, `: previous_manifest = the deployed manifest, parameters ${JSON.stringify(params)} (values the plan schema allows)`);
    const r = await this.redeploy(rec, this.deployed!.plan, params, 'update with parameters', input);
    if (r.outcome !== 'passed') return r;
    // The choice must survive the next update without parameters (upgrade-all runs exactly that).
    let again: GenerateManifestOutput;
    try {
      again = await this.generate(rec, this.deployed!.plan, this.deployed, {});
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      return { outcome: 'failed', ...unexpectedAdapterError(err, rec, input, 'exit 0') };
    }
    const changes = manifestChanges(this.deployed!.manifest, again.manifest);
    if (changes.length) {
      return {
        outcome: 'failed',
        message: `an update without parameters, right after one with them, changes the manifest (${changes.length} change(s), first: ${changes[0]})`,
        finding: {
          message: '',
          input: this.inputWords('update', this.deployed!.plan.name, ': previous_manifest = the manifest deployed with the parameters, no parameters this time'),
          expected: 'the deployed manifest again: earlier parameters are read back from previous_manifest',
          why: 'ODB passes only the parameters of the current request; upgrade-all-service-instances passes none, so an adapter that forgets them undoes users\' choices at every upgrade (and ODB sees pending changes).',
          more: changes.join('\n'),
        },
      };
    }
    return { outcome: 'passed' };
  }

  private async planChange(rec: CaseRecorder): Promise<StepResult> {
    const catalog = isObj(this.ctx.config.service_catalog) ? this.ctx.config.service_catalog : {};
    if (!this.otherPlan) return { outcome: 'not-applicable', message: 'the config has one plan' };
    if (catalog.plan_updatable === false) return { outcome: 'not-applicable', message: 'service_catalog.plan_updatable is false' };
    const input = this.inputWords('plan change', this.otherPlan.name, `: previous_plan = '${String(this.deployed!.plan.name)}', previous_manifest = the deployed manifest`);
    return this.redeploy(rec, this.otherPlan, {}, `plan change to '${String(this.otherPlan.name)}'`, input);
  }

  private async upgrade(rec: CaseRecorder): Promise<StepResult> {
    const sd = this.config.service_deployment as { releases: { name: string; version: string }[] };
    const before = sd.releases.map((r) => `${r.name}/${r.version}`);
    for (const r of sd.releases) r.version = nextVersion(String(r.version));
    const input = this.inputWords('upgrade', this.deployed!.plan.name, `: service_deployment now names ${sd.releases.map((r) => `${r.name}/${r.version}`).join(', ')} (was ${before.join(', ')}), previous_manifest = the deployed manifest`);
    const d = this.deployed!;
    d.configs = await this.ctx.director.configs(this.deployment);
    let out: GenerateManifestOutput;
    try {
      out = await this.generate(rec, d.plan, d, {});
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      return { outcome: 'failed', ...unexpectedAdapterError(err, rec, input, 'exit 0 and a manifest naming the new versions') };
    }
    const named = ((parseYaml(out.manifest) ?? {}) as Obj).releases;
    const stale = sd.releases.filter((r) => !(Array.isArray(named) && named.some((m) => isObj(m) && m.name === r.name && String(m.version) === r.version)));
    if (stale.length) {
      return {
        outcome: 'failed',
        message: `after the operator moved to ${stale.map((r) => `${r.name} ${r.version}`).join(', ')}, the manifest still does not name ${stale.length === 1 ? 'it' : 'them'}`,
        finding: { message: '', input, expected: 'the manifest\'s releases taken from service_deployment (the versions the operator configured)', why: 'Operators upgrade service instances by changing service_deployment and running upgrade-all-service-instances; an adapter that keeps old versions (e.g. from previous_manifest) never upgrades anything.' },
      };
    }
    this.deployed = { manifest: out.manifest, plan: d.plan, configs: out.configs ?? {} };
    const deployed = await this.deployCurrent('upgrade');
    if (deployed.outcome !== 'passed') return deployed;
    return this.errands('post_deploy', d.plan).then((e) => (e.outcome === 'failed' ? e : { outcome: 'passed' as const }));
  }

  // ---- unbind and delete ----

  private async deleteBinding(rec: CaseRecorder): Promise<StepResult> {
    if (!this.bindingId) return { outcome: 'not-applicable', message: 'no binding was made' };
    const vms = await this.ctx.director.boshVms(this.deployment);
    await this.ctx.director.variables(this.deployment);
    const dns = await this.dns();
    if (dns.missing.length) return this.missingDns(dns.missing);
    const input = `binding ${this.bindingId} (made by create-binding earlier), bosh_vms ${JSON.stringify(vms)}, the deployed manifest`;
    try {
      await this.adapter.deleteBinding({ ...(await this.bindInputs(vms, dns.addresses)), requestParameters: unbindRequest(this.config, this.deployed!.plan) });
      return { outcome: 'passed' };
    } catch (err) {
      this.ctx.noteFailure(this.mode, err, rec);
      if (!(err instanceof AdapterError)) throw err;
      return { outcome: 'failed', ...unexpectedAdapterError(err, rec, input, 'exit 0 (the binding exists: it was just made)') };
    }
  }

  private async remove(): Promise<StepResult> {
    const errands = await this.errands('pre_delete', this.deployed!.plan);
    if (errands.outcome === 'failed') return errands;
    const task = await this.ctx.director.deleteDeployment(this.deployment, `delete-${this.instanceId}`);
    if (task.state !== 'done') return { outcome: 'failed', message: `the director could not delete the deployment: ${task.result ?? task.state}` };
    return { outcome: 'passed' };
  }
}
