import { E } from '../../errors.js';
import type { JobSpec } from '../engine.js';
import { stage } from '../events.js';
import { deleteJob } from './delete.js';
import { deployJob } from './deploy.js';
import { errandJob } from './errand.js';
import { deleteReleaseJob, deleteStemcellJob, uploadReleaseJob, uploadStemcellJob } from './uploads.js';
import { vmsJob } from './vms.js';

/** `update_instance`: the non-converging `instance_groups/:ig/:id/actions/:action`. */
const instanceActionJob: JobSpec = {
  lock: true,
  prepare({ model, task }) {
    const d = model.deployment(task.deployment!);
    if (!d) throw E.deploymentNotFound(task.deployment!);
    return task.payload;
  },
  steps: (_c, raw) => {
    const p = raw as { action: string; slug: string };
    const verb = { start: 'Starting', stop: 'Stopping', restart: 'Restarting', recreate: 'Recreating' }[p.action] ?? 'Updating';
    return stage(`${verb} instance`, [p.slug]);
  },
  finish({ model, task, kernel }, raw) {
    const p = raw as { action: string; id: string; hard?: boolean };
    const d = model.deployment(task.deployment!);
    const i = d?.instances.find((x) => x.id === p.id);
    if (d && i) {
      if (p.action === 'stop') {
        i.state = p.hard ? 'detached' : 'stopped';
        i.job_state = 'stopped';
        if (p.hard) i.vm_cid = i.agent_id = i.vm_created_at = null;
      } else if (p.action === 'start' || p.action === 'restart' || p.action === 'recreate') {
        i.state = 'started';
        i.job_state = 'running';
        if (p.action === 'recreate' || i.vm_cid === null) {
          i.vm_cid = model.random.uuid();
          i.agent_id = model.random.uuid();
          i.vm_created_at = kernel.clock.iso();
        }
      }
    }
    return { result: `/deployments/${task.deployment}` };
  },
};

/** `fetch_logs`: the result is a blobstore id. */
const fetchLogsJob: JobSpec = {
  prepare: () => null,
  steps: () => stage('Fetching logs', ['Finding and packing log files']),
  finish: ({ model }) => ({ result: model.random.uuid() }),
};

const noop: JobSpec = { prepare: () => null, steps: () => [], finish: () => ({ result: '' }) };

export const JOBS: Record<string, JobSpec> = {
  update_deployment: deployJob,
  delete_deployment: deleteJob,
  run_errand: errandJob,
  vms: vmsJob,
  update_release: uploadReleaseJob,
  update_stemcell: uploadStemcellJob,
  delete_release: deleteReleaseJob,
  delete_stemcell: deleteStemcellJob,
  update_instance: instanceActionJob,
  fetch_logs: fetchLogsJob,
  noop,
};
