import path from 'node:path';
import type { TestCase, TestModule } from 'vitest/node';
import type { CaseResult, Outcome } from '../../report/model.js';
import type { ScenarioRecord } from '../harness/scenario.js';

/** Trims a stack to the frames in the scenario files (node_modules and vitest internals say nothing). */
function trimStack(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  return stack
    .split('\n')
    .filter((l) => !/node_modules|node:internal|\(<anonymous>\)/.test(l))
    .slice(0, 12)
    .join('\n');
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string | undefined) => s?.replace(/\x1b\[[0-9;]*m/g, '');

function outcomeOf(tc: TestCase, rec: ScenarioRecord | undefined): Outcome {
  const r = tc.result();
  if (r.state === 'failed') return 'failed';
  if (r.state === 'pending') return 'not-run';
  if (rec?.outcome === 'not-applicable') return 'not-applicable';
  if (r.state === 'skipped') return 'skipped';
  return rec?.outcome === 'warned' ? 'warned' : 'passed';
}

/** One vitest test case as a report case, with the scenario's journal and steps. */
export function caseFromTest(tc: TestCase, root: string): CaseResult {
  const rec = tc.meta().fakefoundry;
  const r = tc.result();
  const file = path.relative(root, tc.module.moduleId);
  const project = tc.project.name;
  const outcome = outcomeOf(tc, rec);
  const err = r.state === 'failed' ? r.errors[0] : undefined;
  const details = err ? [stripAnsi(err.diff), trimStack(stripAnsi(err.stack)), rec?.brokerLog ? `broker log (last lines):\n${rec.brokerLog}` : undefined].filter(Boolean).join('\n\n') : undefined;
  const message =
    stripAnsi(err?.message) ??
    (outcome === 'not-applicable' ? rec?.reason : outcome === 'warned' ? rec?.warnings.join('; ') : r.state === 'skipped' ? r.note : undefined);
  const target = rec?.target;
  return {
    id: [project, file, tc.fullName].filter(Boolean).join(' › '),
    title: tc.fullName,
    suite: project ? `${path.basename(file).replace(/\.scenario\.[jt]s$|\.[jt]s$/, '')} (${project})` : path.basename(file).replace(/\.scenario\.[jt]s$|\.[jt]s$/, ''),
    outcome,
    duration: tc.diagnostic()?.duration ?? 0,
    tags: rec?.tags ?? [...tc.tags],
    message: message?.split('\n')[0],
    details: details || (message && message.includes('\n') ? message : undefined),
    reproduction: `npx fakefoundry run ${file} -t ${JSON.stringify(tc.fullName)}${target && target !== 'embedded' ? ' --target …' : ''}`,
    journal: rec?.journal,
    steps: rec?.steps,
    meta: rec ? { cell: rec.cell, seed: rec.seed } : undefined,
  };
}

/** Every case of a run, plus a failed case for each module that could not run at all. */
export function casesFromModules(modules: ReadonlyArray<TestModule>, root: string): CaseResult[] {
  const out: CaseResult[] = [];
  for (const m of modules) {
    const tests = [...m.children.allTests()];
    for (const tc of tests) out.push(caseFromTest(tc, root));
    const errors = m.errors();
    if (errors.length && !tests.some((t) => t.result().state === 'failed')) {
      const file = path.relative(root, m.moduleId);
      out.push({
        id: `${m.project.name} › ${file} › (module)`,
        title: `${file} could not run`,
        suite: path.basename(file),
        outcome: 'failed',
        duration: m.diagnostic().duration,
        tags: [],
        message: errors[0].message,
        details: trimStack(errors[0].stack),
      });
    }
  }
  return out;
}
