/**
 * Reports shared by every fakefoundry tool (scenarios, conformance, adapter-check, dashboard): one
 * result model, and writers for the terminal, JUnit XML, JSON and a self-contained HTML page with a
 * sequence diagram of what happened in each case.
 *
 * @example
 * ```ts
 * import { writeReports, type RunResult } from 'fakefoundry/report';
 * const run: RunResult = { tool: 'my-checks', title: 'My checks', started: new Date().toISOString(), duration: 120,
 *   cases: [{ id: 'a', title: 'provision', suite: 'lifecycle', outcome: 'passed', duration: 40, tags: [] }] };
 * await writeReports(run, { dir: 'reports', formats: ['pretty', 'junit', 'html'] });
 * ```
 */
export * from './model.js';
export * from './sequence.js';
export * from './write.js';
export { toHtml, escapeHtml, type HtmlOptions } from './writers/html.js';
export { toJson, parseJsonReport, REPORT_FORMAT } from './writers/json.js';
export { toJunitXml } from './writers/junit.js';
export { toPretty, formatCaseLine, formatCaseDetails, formatSummary, wantsColor, type PrettyOptions } from './writers/pretty.js';
