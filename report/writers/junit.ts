import { create } from 'xmlbuilder2';
import { countOutcomes, type CaseResult, type RunResult } from '../model.js';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** Replaces characters XML 1.0 cannot carry (controls, lone surrogates) so any text can go in. */
const xmlSafe = (char: string) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`;

/** XML parsers turn CR and CRLF into LF anyway; doing it here keeps what we write what is read. */
const lf = (s: string) => s.replace(/\r\n?/g, '\n');

function caseText(c: CaseResult): string {
  return lf([c.message, c.details, c.spec && `spec: ${c.spec.section} (${c.spec.level})`, c.reproduction && `reproduce: ${c.reproduction}`]
    .filter(Boolean)
    .join('\n\n'));
}

/**
 * The run as JUnit XML (the Jenkins/Surefire dialect CI tools read): one `<testsuite>` per suite;
 * `failed` cases carry `<failure>`, `skipped`, `not-applicable` and `not-run` ones `<skipped>`
 * with the reason, `warned` ones pass with the warning in `<system-out>`. Tags, spec citation and
 * outcome go in `<properties>`.
 */
export function toJunitXml(run: RunResult): string {
  const all = countOutcomes(run.cases);
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: xmlSafe });
  const root = doc.ele('testsuites', {
    name: run.title,
    tests: all.total,
    failures: all.failed,
    errors: 0,
    skipped: all.skipped + all['not-applicable'] + all['not-run'],
    time: seconds(run.duration),
    timestamp: run.started,
  });
  const suites = new Map<string, CaseResult[]>();
  for (const c of run.cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  for (const [name, cases] of suites) {
    const n = countOutcomes(cases);
    const suite = root.ele('testsuite', {
      name,
      tests: n.total,
      failures: n.failed,
      errors: 0,
      skipped: n.skipped + n['not-applicable'] + n['not-run'],
      time: seconds(cases.reduce((t, c) => t + c.duration, 0)),
      timestamp: run.started,
    });
    for (const c of cases) {
      const tc = suite.ele('testcase', { name: lf(c.title), classname: name, time: seconds(c.duration) });
      const props: [string, string][] = [['outcome', c.outcome], ['id', c.id], ...c.tags.map((t): [string, string] => ['tag', t])];
      if (c.spec) props.push(['spec', `${c.spec.section} (${c.spec.level})`]);
      for (const [k, v] of Object.entries(c.meta ?? {})) props.push([k, v]);
      const p = tc.ele('properties');
      for (const [k, v] of props) p.ele('property', { name: k, value: v });
      if (c.outcome === 'failed') {
        tc.ele('failure', { message: lf(c.message ?? 'failed'), type: 'AssertionError' }).txt(caseText(c));
      } else if (c.outcome === 'skipped' || c.outcome === 'not-applicable' || c.outcome === 'not-run') {
        tc.ele('skipped', { message: `${c.outcome}${c.message ? `: ${c.message}` : ''}` });
      } else if (c.outcome === 'warned') {
        tc.ele('system-out').txt(`warning: ${caseText(c)}`);
      }
    }
  }
  return doc.end({ prettyPrint: true });
}
