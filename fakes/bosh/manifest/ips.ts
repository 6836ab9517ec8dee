import type { Random } from '../../core/random.js';
import { boshErr } from '../errors.js';
import type { Network } from '../model/cloud.js';
import { intToIp, ipToInt } from '../model/ip.js';
import type { IpBook } from '../model/ip-book.js';
import type { Slot } from './place.js';
import type { GroupPlan } from './validate.js';

export interface IpContext {
  deployment: string;
  book: IpBook;
  /** The deploy task making the reservations (they are dropped if it does not commit). */
  taskId: number | null;
  random: Random;
}

/**
 * An instance's address on each of its group's networks, reserved at once (`ip_repo.rb`): a static
 * IP as listed; an existing instance keeps the address it holds; a new one takes the lowest address
 * of its AZ's subnets that no reservation of any deployment holds. Errand instances get none
 * until they run.
 */
export function allocateIps(group: GroupPlan, slot: Slot, instanceId: string, ctx: IpContext): { name: string; ip: string }[] {
  if (group.lifecycle === 'errand') return [];
  const out: { name: string; ip: string }[] = [];
  const mine = (net: string, ip: number) => {
    const h = ctx.book.holder(net, intToIp(ip));
    return h !== undefined && h.deployment === ctx.deployment && h.instance === instanceId;
  };
  const free = (net: string, ip: number) => ctx.book.holder(net, intToIp(ip)) === undefined;
  for (const { net, staticIps } of group.networks) {
    let ip: number | null;
    if (staticIps) ip = staticIps[slot.index] ?? null;
    else {
      const prev = slot.old?.networks.find((x) => x.name === net.name);
      const prevInt = prev ? ipToInt(prev.ip) : null;
      if (prevInt !== null && (mine(net.name, prevInt) || free(net.name, prevInt))) ip = prevInt;
      else ip = nextFree(net, slot.az, (x) => !free(net.name, x), ctx.random);
      if (ip === null) {
        throw boshErr(130011, `Failed to reserve IP for '${group.name}/${slot.old?.id ?? 'new'} (${slot.index})' for manual network '${net.name}': no more available`);
      }
    }
    if (ip === null) continue;
    ctx.book.reserve({ network: net.name, ip: intToIp(ip), deployment: ctx.deployment, instance: instanceId, task_id: ctx.taskId });
    out.push({ name: net.name, ip: intToIp(ip) });
  }
  return out;
}

function nextFree(net: Network, az: string | null, isHeld: (ip: number) => boolean, random: Random): number | null {
  if (net.type === 'vip') return null;
  if (net.type === 'dynamic') {
    // Dynamic networks get their address from the IaaS; make a stable-looking one.
    for (let tries = 0; tries < 1000; tries++) {
      const ip = ipToInt(`10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(2, 254)}`)!;
      if (!isHeld(ip)) return ip;
    }
    return null;
  }
  for (const s of net.subnets) {
    if (az !== null && s.azs.length > 0 && !s.azs.includes(az)) continue;
    for (let ip = s.first; ip <= s.last; ip++) {
      if (ip === s.gateway || s.reserved.has(ip) || s.static.has(ip) || isHeld(ip)) continue;
      return ip;
    }
  }
  return null;
}
