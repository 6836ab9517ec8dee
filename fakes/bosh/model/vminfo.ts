import type { InstanceRecord } from '../state.js';

/**
 * One line of `vms?format=full` / `instances?format=full`, with the exact JSON types bosh-cli's
 * `VMInfo` decodes: vitals as strings, `index` an int, uptime secs ints, process mem/cpu numbers.
 */
export function vmInfo(i: InstanceRecord, nowSeconds: number): Record<string, unknown> {
  const hasVm = i.vm_cid !== null;
  const created = i.vm_created_at ? Math.floor(Date.parse(i.vm_created_at) / 1000) : nowSeconds;
  const uptime = Math.max(0, nowSeconds - created);
  const running = i.job_state === 'running';
  return {
    vm_cid: i.vm_cid,
    active: hasVm ? true : null,
    vm_created_at: i.vm_created_at ?? '',
    cloud_properties: {},
    disk_cid: i.disk_cid,
    disk_cids: i.disk_cid ? [i.disk_cid] : [],
    ips: i.networks.map((n) => n.ip),
    dns: [],
    agent_id: i.agent_id,
    job_name: i.group,
    index: i.index,
    job_state: hasVm ? i.job_state : null,
    state: i.state,
    vm_type: i.vm_type ?? '',
    vitals: hasVm
      ? {
          cpu: { sys: '0.3', user: '1.2', wait: '0.0' },
          disk: {
            system: { inode_percent: '34', percent: '48' },
            ephemeral: { inode_percent: '1', percent: '2' },
            ...(i.disk_cid ? { persistent: { inode_percent: '0', percent: '3' } } : {}),
          },
          load: ['0.00', '0.01', '0.05'],
          mem: { kb: '605008', percent: '7' },
          swap: { kb: '0', percent: '0' },
          uptime: { secs: uptime },
        }
      : null,
    processes:
      hasVm && i.state === 'started'
        ? i.jobs.map((name) => ({
            name,
            state: running ? 'running' : i.job_state,
            uptime: { secs: uptime },
            mem: { kb: 776, percent: 0.1 },
            cpu: { total: 0.2 },
          }))
        : [],
    resurrection_paused: false,
    az: i.az,
    id: i.id,
    bootstrap: i.bootstrap,
    ignore: i.ignore,
    stemcell: { name: i.stemcell.name, version: i.stemcell.version, api_version: i.stemcell.api_version },
  };
}

/** The synchronous `GET /deployments/:d/vms` and `/instances` entries. */
export function vmSummary(i: InstanceRecord, withExpectsVm: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {
    agent_id: i.agent_id,
    cid: i.vm_cid,
    job: i.group,
    index: i.index,
    id: i.id,
    az: i.az,
    // The director lists the IPs of the VM, so an instance without one has none.
    ips: i.vm_cid !== null ? i.networks.map((n) => n.ip) : [],
    vm_created_at: i.vm_created_at,
  };
  if (withExpectsVm) o.expects_vm = i.lifecycle === 'service' && i.state !== 'detached';
  else {
    o.active = true;
    o.permanent_nats_credentials = false;
  }
  return o;
}
