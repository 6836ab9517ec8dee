import { E } from '../../errors.js';
import type { JobSpec } from '../engine.js';
import { stage } from '../events.js';
import { slug } from './deploy.js';

/** `delete_deployment`: removes the deployment, its instances, IPs and links. */
export const deleteJob: JobSpec = {
  lock: true,
  event: ({ task }) => ({ action: 'delete', object_type: 'deployment', object_name: task.deployment! }),
  prepare({ model, task }) {
    const d = model.deployment(task.deployment!);
    if (!d) throw E.deploymentNotFound(task.deployment!);
    return { instances: d.instances.map(slug) };
  },
  steps(_ctx, plan) {
    const p = plan as { instances: string[] };
    return [
      ...stage('Deleting instances', p.instances),
      ...stage('Removing deployment artifacts', ['Detaching stemcells', 'Detaching releases', 'Destroying deployment']),
      ...stage('Deleting properties', ['Destroying deployment']),
    ];
  },
  finish({ model, task }) {
    model.removeDeployment(task.deployment!);
    return { result: `/deployments/${task.deployment}` };
  },
};
