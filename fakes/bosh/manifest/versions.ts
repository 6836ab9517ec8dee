/** Semi-semantic version ordering: numeric parts compared as numbers, the rest as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = Number(x);
    const ny = Number(y);
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function latest<T>(items: T[], version: (t: T) => string): T | undefined {
  let best: T | undefined;
  for (const it of items) if (!best || compareVersions(version(it), version(best)) > 0) best = it;
  return best;
}
