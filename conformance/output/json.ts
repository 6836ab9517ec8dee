/** The whole result as JSON, for machines (CI annotations, dashboards). */
import { citationUrl } from '../citations.js';
import type { ConformanceResult } from '../model.js';

export function renderJson(result: ConformanceResult): string {
  const cases = result.cases.map((c) => ({ ...c, citation: { ...c.citation, url: citationUrl(c.citation, result.osbVersion) } }));
  return JSON.stringify({ ...result, cases }, null, 2) + '\n';
}
