import { spawn } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { exampleAdapters, loadExampleOdbConfig, type ExampleAdapterName } from '../../broker-under-test/example-adapters/index.js';
import { findPlan, planInput, serviceDeploymentInput } from '../../adapter-check/odb-inputs.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an adapter executable as ODB does: argv, optional stdin, stdout and stderr apart. */
export function run(path: string, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}

const ZERO = {
  generate_manifest: { service_deployment: '', plan: '', previous_plan: '', previous_manifest: '', request_parameters: '', previous_secrets: '', previous_configs: '', uaa_client: '' },
  dashboard_url: { instance_id: '', plan: '', manifest: '' },
  create_binding: { binding_id: '', bosh_vms: '', manifest: '', request_parameters: '', secrets: '', dns_addresses: '' },
  delete_binding: { binding_id: '', bosh_vms: '', manifest: '', request_parameters: '', secrets: '', dns_addresses: '' },
  generate_plan_schemas: { plan: '' },
};

/** ODB's stdin document: every section present, only `section` filled (values are strings). */
export function stdinFor(section: keyof typeof ZERO, values: Record<string, string>): string {
  return JSON.stringify({ ...ZERO, [section]: { ...ZERO[section], ...values } });
}

export const INSTANCE = '3f0d8a52-1b7c-4e0e-a6f1-5d2c9b8e7a01';
export const DEPLOYMENT = `service-instance_${INSTANCE}`;

/** The service deployment and plan JSON ODB would pass for an example's catalog plan. */
export function inputsFor(name: ExampleAdapterName, planName: string) {
  const config = loadExampleOdbConfig(name);
  const plan = findPlan(config, planName);
  if (!plan) throw new Error(`no plan ${planName}`);
  return {
    path: exampleAdapters[name].adapterPath,
    config,
    catalogPlan: plan,
    serviceDeployment: JSON.stringify(serviceDeploymentInput(config, INSTANCE)),
    plan: JSON.stringify(planInput(config, plan)),
  };
}

export interface ManifestDoc {
  name: string;
  releases: { name: string; version: string }[];
  stemcells: { alias: string; os: string; version: string }[];
  instance_groups: { name: string; instances: number; lifecycle?: string; jobs: { name: string; release: string; properties?: any; provides?: any; consumes?: any }[]; [k: string]: unknown }[];
  update: Record<string, unknown>;
  [k: string]: unknown;
}

export const manifestOf = (yamlText: string) => parseYaml(yamlText) as ManifestDoc;
