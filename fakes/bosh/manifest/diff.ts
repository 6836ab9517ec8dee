import { parse as parseYaml, stringify } from 'yaml';

export type DiffLine = [string, 'added' | 'removed' | null];

function redact(v: unknown, underProperties = false): unknown {
  if (Array.isArray(v)) return v.map((x) => redact(x, underProperties));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (underProperties) out[k] = x && typeof x === 'object' ? redact(x, true) : '<redacted>';
      else out[k] = redact(x, k === 'properties' || k === 'env');
    }
    return out;
  }
  return v;
}

function lines(text: string | null, redacted: boolean): string[] {
  if (text === null) return [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return text.split('\n');
  }
  return stringify(redacted ? redact(doc) : doc, { lineWidth: 0 }).replace(/\n$/, '').split('\n');
}

/** A line diff of two manifests (as `[text, "added"|"removed"|null]`), after optional redaction. */
export function manifestDiff(before: string | null, after: string, redacted: boolean): DiffLine[] {
  const a = lines(before, redacted);
  const b = lines(after, redacted);
  const n = a.length;
  const m = b.length;
  // LCS table; manifests are small enough for O(n*m).
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push([a[i], null]);
      i++;
      j++;
    } else if (j < m && (i >= n || dp[i][j + 1] >= dp[i + 1][j])) out.push([b[j++], 'added']);
    else out.push([a[i++], 'removed']);
  }
  // The director only shows changed lines with a little context; unchanged manifests give [].
  return out.some((l) => l[1] !== null) ? out : [];
}
