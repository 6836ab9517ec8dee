/**
 * How ODB puts adapter inputs on the wire, and checks what comes back: Go's JSON field order and
 * `omitempty` for plans and service deployments, the stdin `InputParams` document, the manifest
 * checks of ODB's adapter client, and secret masking for reports.
 * @module
 */
import { parse as parseYaml } from 'yaml';
import { AdapterOutputError } from './errors.js';
import type {
  AdapterSubcommand,
  BindingParams,
  DashboardUrlParams,
  GenerateManifestParams,
  InstanceGroup,
  Plan,
  ServiceDeployment,
} from './types.js';

function instanceGroupJson(g: InstanceGroup): Record<string, unknown> {
  const out: Record<string, unknown> = { name: g.name, vm_type: g.vm_type };
  if (g.vm_extensions?.length) out.vm_extensions = g.vm_extensions;
  if (g.persistent_disk_type) out.persistent_disk_type = g.persistent_disk_type;
  out.instances = g.instances;
  out.networks = g.networks ?? null;
  out.azs = g.azs ?? null;
  if (g.lifecycle) out.lifecycle = g.lifecycle;
  if (g.migrated_from?.length) out.migrated_from = g.migrated_from;
  return out;
}

/** A plan in the SDK's JSON form (field order and omitted empties as Go marshals `sdk.Plan`). */
export function planJson(plan: Plan): Record<string, unknown> {
  const errands: Record<string, unknown> = {};
  if (plan.lifecycle_errands?.post_deploy?.length) errands.post_deploy = plan.lifecycle_errands.post_deploy;
  if (plan.lifecycle_errands?.pre_delete?.length) errands.pre_delete = plan.lifecycle_errands.pre_delete;
  const out: Record<string, unknown> = {
    properties: plan.properties ?? {},
    lifecycle_errands: errands,
    instance_groups: (plan.instance_groups ?? []).map(instanceGroupJson),
  };
  if (plan.update) {
    const u = plan.update;
    const update: Record<string, unknown> = {
      canaries: u.canaries ?? 0,
      canary_watch_time: u.canary_watch_time ?? '',
      update_watch_time: u.update_watch_time ?? '',
      max_in_flight: u.max_in_flight ?? 0,
    };
    if (u.serial !== undefined) update.serial = u.serial;
    if (u.initial_deploy_az_update_strategy) update.initial_deploy_az_update_strategy = u.initial_deploy_az_update_strategy;
    out.update = update;
  }
  return out;
}

/** A service deployment in the SDK's JSON form. */
export function serviceDeploymentJson(d: ServiceDeployment): Record<string, unknown> {
  return {
    deployment_name: d.deployment_name,
    releases: d.releases.map((r) => ({ name: r.name, version: r.version, jobs: r.jobs })),
    stemcells: d.stemcells.map((s) => ({ stemcell_os: s.stemcell_os, stemcell_version: s.stemcell_version })),
  };
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** The positional arguments after the subcommand in legacy mode, exactly as ODB passes them. */
export function legacyArgs(
  subcommand: AdapterSubcommand,
  p: GenerateManifestParams | BindingParams | DashboardUrlParams | { plan: Plan },
): string[] {
  switch (subcommand) {
    case 'generate-manifest': {
      const g = p as GenerateManifestParams;
      return [
        json(serviceDeploymentJson(g.serviceDeployment)),
        json(planJson(g.plan)),
        json(g.requestParameters),
        g.previousManifest,
        json(g.previousPlan && planJson(g.previousPlan)),
      ];
    }
    case 'create-binding':
    case 'delete-binding': {
      const b = p as BindingParams;
      return [b.bindingId, json(b.boshVms), b.manifest, json(b.requestParameters)];
    }
    case 'dashboard-url': {
      const d = p as DashboardUrlParams;
      return [d.instanceId, json(planJson(d.plan)), d.manifest];
    }
    case 'generate-plan-schemas':
      return ['--plan-json', json(planJson((p as { plan: Plan }).plan))];
  }
}

/**
 * The stdin document (SDK `InputParams`) for one subcommand. Every section is present (Go's
 * `omitempty` never drops a struct); only the subcommand's own section is filled, and every value
 * in it is itself a JSON- (or YAML-) encoded string.
 */
export function stdinDocument(
  subcommand: AdapterSubcommand,
  p: GenerateManifestParams | BindingParams | DashboardUrlParams | { plan: Plan },
): string {
  const emptyBinding = { binding_id: '', bosh_vms: '', manifest: '', request_parameters: '', secrets: '', dns_addresses: '' };
  const doc = {
    generate_manifest: {
      service_deployment: '', plan: '', previous_plan: '', previous_manifest: '', request_parameters: '',
      previous_secrets: '', previous_configs: '', uaa_client: '',
    },
    dashboard_url: { instance_id: '', plan: '', manifest: '' },
    create_binding: { ...emptyBinding },
    delete_binding: { ...emptyBinding },
    generate_plan_schemas: { plan: '' },
  };
  switch (subcommand) {
    case 'generate-manifest': {
      const g = p as GenerateManifestParams;
      doc.generate_manifest = {
        service_deployment: json(serviceDeploymentJson(g.serviceDeployment)),
        plan: json(planJson(g.plan)),
        previous_plan: json(g.previousPlan && planJson(g.previousPlan)),
        previous_manifest: g.previousManifest,
        request_parameters: json(g.requestParameters),
        previous_secrets: json(g.previousSecrets),
        previous_configs: json(g.previousConfigs),
        uaa_client: json(g.uaaClient),
      };
      break;
    }
    case 'create-binding':
    case 'delete-binding': {
      const b = p as BindingParams;
      const section = {
        binding_id: b.bindingId,
        bosh_vms: json(b.boshVms),
        manifest: b.manifest,
        request_parameters: json(b.requestParameters),
        secrets: json(b.secrets),
        dns_addresses: json(b.dnsAddresses),
      };
      if (subcommand === 'create-binding') doc.create_binding = section;
      else doc.delete_binding = section;
      break;
    }
    case 'dashboard-url': {
      const d = p as DashboardUrlParams;
      doc.dashboard_url = { instance_id: d.instanceId, plan: json(planJson(d.plan)), manifest: d.manifest };
      break;
    }
    case 'generate-plan-schemas':
      doc.generate_plan_schemas = { plan: json(planJson((p as { plan: Plan }).plan)) };
      break;
  }
  return JSON.stringify(doc) + '\n';
}

/**
 * ODB's checks of a generated manifest: valid YAML, `name` equal to the deployment name, and no
 * release or stemcell version ending in `latest`. Throws {@link AdapterOutputError} with ODB's text.
 */
export function validateGeneratedManifest(adapterPath: string, deploymentName: string, manifest: string, stderr: string): void {
  let doc: unknown;
  try {
    doc = parseYaml(manifest);
  } catch {
    throw new AdapterOutputError(
      `external service adapter generated manifest that is not valid YAML at ${adapterPath}. stderr: '${stderr}'`,
      'generate-manifest', 0, manifest, stderr,
    );
  }
  if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) {
    throw new AdapterOutputError(
      `external service adapter generated manifest that is not valid YAML at ${adapterPath}. stderr: '${stderr}'`,
      'generate-manifest', 0, manifest, stderr,
    );
  }
  const m = (doc ?? {}) as { name?: unknown; releases?: unknown; stemcells?: unknown };
  const name = m.name === undefined || m.name === null ? '' : String(m.name);
  if (name !== deploymentName) {
    throw new AdapterOutputError(
      `external service adapter generated manifest with an incorrect deployment name at ${adapterPath}. expected name: '${deploymentName}', returned name: '${name}', stderr: '${stderr}'`,
      'generate-manifest', 0, manifest, stderr,
    );
  }
  for (const list of [m.releases, m.stemcells]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const version = entry && typeof entry === 'object' ? (entry as { version?: unknown }).version : undefined;
      if (version !== undefined && version !== null && String(version).endsWith('latest')) {
        throw new AdapterOutputError(
          `external service adapter generated manifest with an incorrect version at ${adapterPath}. expected exact version but returned version: '${String(version)}', stderr: '${stderr}'`,
          'generate-manifest', 0, manifest, stderr,
        );
      }
    }
  }
}

const SECRET_KEY = /secret|password|passwd|token|credential|private_key|privatekey|^key$|_key$|certificate/i;
const MASK = '***';

function maskValue(v: unknown, underSecret: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => maskValue(x, underSecret));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskValue(x, underSecret || SECRET_KEY.test(k));
    return out;
  }
  if (typeof v === 'string') return underSecret ? MASK : maskText(v);
  if (underSecret && v !== null && v !== undefined) return MASK;
  return v;
}

/**
 * Masks secrets in text: JSON documents (values under keys that look secret, recursively, and
 * JSON-encoded strings inside them), or YAML-ish `key: value` lines whose key looks secret.
 */
export function maskText(text: string): string {
  const trimmed = text.trim();
  if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
    try {
      return JSON.stringify(maskValue(JSON.parse(trimmed), false)) + (text.endsWith('\n') ? '\n' : '');
    } catch {
      // not JSON: fall through to the line rule
    }
  }
  return text.replace(/^(\s*-?\s*"?([A-Za-z0-9_.-]+)"?\s*:[ \t]*)(\S.*)$/gm, (line, head: string, key: string) =>
    SECRET_KEY.test(key) ? `${head}${MASK}` : line,
  );
}
