/** IPv4 helpers for subnet ranges, reserved/static lists (`10.0.0.2-10.0.0.9` or single IPs). */

export function ipToInt(ip: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip.trim());
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** First and last usable address of a CIDR (network and broadcast excluded). */
export function cidrBounds(range: string): { first: number; last: number } | null {
  const [base, bitsText] = range.split('/');
  const start = ipToInt(base ?? '');
  const bits = Number(bitsText);
  if (start === null || !Number.isInteger(bits) || bits < 8 || bits > 30) return null;
  const size = 2 ** (32 - bits);
  const network = start - (start % size);
  return { first: network + 1, last: network + size - 2 };
}

/** Expands `a-b` ranges and single addresses to integers. */
export function expandIps(list: unknown): number[] {
  const out: number[] = [];
  for (const item of Array.isArray(list) ? list : list === undefined || list === null ? [] : [list]) {
    const s = String(item);
    const [a, b] = s.split('-').map((x) => ipToInt(x.trim()));
    if (a === null || a === undefined) continue;
    if (b === undefined) out.push(a);
    else if (b !== null) for (let i = a; i <= b && out.length < 65536; i++) out.push(i);
  }
  return out;
}
