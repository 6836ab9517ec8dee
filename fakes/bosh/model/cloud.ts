import { parse as parseYaml } from 'yaml';
import { cidrBounds, expandIps, ipToInt } from './ip.js';

export interface Subnet {
  azs: string[];
  first: number;
  last: number;
  gateway: number | null;
  reserved: Set<number>;
  static: Set<number>;
}

export interface Network {
  name: string;
  type: 'manual' | 'dynamic' | 'vip';
  subnets: Subnet[];
}

/** The merged view of every latest cloud config (the director merges all named cloud configs). */
export interface CloudModel {
  azs: Set<string>;
  vmTypes: Set<string>;
  vmExtensions: Set<string>;
  diskTypes: Set<string>;
  networks: Map<string, Network>;
}

const names = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((x) => (x && typeof x === 'object' ? String((x as { name?: unknown }).name ?? '') : '')).filter(Boolean) : [];

export function buildCloud(contents: string[]): CloudModel {
  const cloud: CloudModel = { azs: new Set(), vmTypes: new Set(), vmExtensions: new Set(), diskTypes: new Set(), networks: new Map() };
  for (const text of contents) {
    let doc: Record<string, unknown>;
    try {
      doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (!doc || typeof doc !== 'object') continue;
    names(doc.azs).forEach((n) => cloud.azs.add(n));
    names(doc.vm_types).forEach((n) => cloud.vmTypes.add(n));
    names(doc.vm_extensions).forEach((n) => cloud.vmExtensions.add(n));
    names(doc.disk_types).forEach((n) => cloud.diskTypes.add(n));
    for (const raw of Array.isArray(doc.networks) ? doc.networks : []) {
      const net = raw as Record<string, unknown>;
      if (!net || typeof net.name !== 'string') continue;
      const type = net.type === 'dynamic' || net.type === 'vip' ? net.type : 'manual';
      const subnets: Subnet[] = [];
      for (const s of Array.isArray(net.subnets) ? net.subnets : []) {
        const sub = s as Record<string, unknown>;
        const bounds = typeof sub.range === 'string' ? cidrBounds(sub.range) : null;
        const azs = Array.isArray(sub.azs) ? sub.azs.map(String) : typeof sub.az === 'string' ? [sub.az] : [];
        subnets.push({
          azs,
          first: bounds?.first ?? 0,
          last: bounds?.last ?? -1,
          gateway: typeof sub.gateway === 'string' ? ipToInt(sub.gateway) : null,
          reserved: new Set(expandIps(sub.reserved)),
          static: new Set(expandIps(sub.static)),
        });
      }
      cloud.networks.set(net.name, { name: net.name, type, subnets });
    }
  }
  return cloud;
}
