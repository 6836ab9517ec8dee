import fc from 'fast-check';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  countOutcomes,
  formatCaseLine,
  isGreen,
  mergeRuns,
  parseFormats,
  parseJsonReport,
  sortCases,
  toHtml,
  toJson,
  toJunitXml,
  toPretty,
  writeReports,
  type CaseResult,
  type RunResult,
} from '../../report/index.js';
import { sampleRun } from './fixtures.js';

type Xml = Record<string, unknown>;
const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function parseJunit(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#', parseAttributeValue: false, parseTagValue: false, trimValues: false, htmlEntities: true }).parse(xml) as Xml;
  const root = doc.testsuites as Xml;
  const suites = asArray(root.testsuite as Xml | Xml[]);
  return { root, suites, cases: suites.flatMap((s) => asArray(s.testcase as Xml | Xml[])) };
}

describe('report model', () => {
  it('counts, orders worst first, and merges runs keeping the worst outcome per case', () => {
    const run = sampleRun();
    expect(countOutcomes(run.cases)).toEqual({ total: 5, passed: 1, failed: 1, warned: 1, skipped: 1, 'not-applicable': 1, 'not-run': 0 });
    expect(sortCases(run.cases).map((c) => c.outcome)).toEqual(['failed', 'warned', 'not-applicable', 'skipped', 'passed']);
    expect(isGreen(run)).toBe(false);
    const a: RunResult = { ...run, started: '2026-01-01T00:00:00.000Z', duration: 1000, cases: run.cases.slice(0, 2) };
    const b: RunResult = { ...run, started: '2026-01-01T00:00:02.000Z', duration: 500, cases: [{ ...run.cases[0], outcome: 'failed' }, run.cases[2]] };
    const m = mergeRuns([a, b]);
    expect(m.started).toBe('2026-01-01T00:00:00.000Z');
    expect(m.duration).toBe(2500);
    expect(m.cases.map((c) => [c.id, c.outcome])).toEqual([
      ['lifecycle/provision', 'failed'],
      ['lifecycle/bind', 'failed'],
      ['errands/post-deploy', 'not-applicable'],
    ]);
    expect(() => mergeRuns([])).toThrow(/nothing/);
  });
});

describe('JUnit writer', () => {
  it('writes the JUnit dialect CI tools read', () => {
    const { root, suites, cases } = parseJunit(toJunitXml(sampleRun()));
    expect(root['@tests']).toBe('5');
    expect(root['@failures']).toBe('1');
    expect(root['@skipped']).toBe('2');
    expect(suites.map((s) => s['@name'])).toEqual(['lifecycle', 'errands', 'quotas', 'x']);
    const bind = cases.find((c) => c['@name'] === 'bind <app> & "friends"')!;
    expect(bind['@classname']).toBe('lifecycle');
    expect(bind['@time']).toBe('0.017');
    const failure = bind.failure as Xml;
    expect(failure['@message']).toBe('expected status 201, got 500');
    expect(failure['#']).toContain('spec: Binding (MUST)');
    expect(failure['#']).toContain('reproduce: fakefoundry run lifecycle -t "bind"');
    const na = cases.find((c) => c['@name'] === 'post-deploy errand')!;
    expect((na.skipped as Xml)['@message']).toBe('not-applicable: target url has no errand commands');
    const warned = cases.find((c) => c['@name'] === 'global quota')!;
    expect(warned['system-out']).toBe('warning: SHOULD return 422 with a description');
  });

  it('carries any text through (property): titles and messages parse back as written, minus what XML cannot hold', () => {
    const invalid = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;
    const replaced = (s: string) => s.replace(/\r\n?/g, '\n').replace(invalid, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), fc.string({ maxLength: 20 }), (title, message, tag) => {
        const c: CaseResult = { id: 'p', title, suite: 's', outcome: 'failed', duration: 1, tags: [tag], message };
        const xml = toJunitXml({ tool: 't', title: 'T', started: '2026-01-01T00:00:00.000Z', duration: 1, cases: [c] });
        const { cases } = parseJunit(xml);
        expect(cases).toHaveLength(1);
        // Attribute values are normalised by XML parsers only for whitespace characters we escape.
        expect(cases[0]['@name']).toBe(replaced(title));
        expect((cases[0].failure as Xml)['@message']).toBe(replaced(message));
      }),
      { numRuns: 50 },
    );
  });
});

describe('JSON writer', () => {
  it('round-trips and refuses what is not a report', () => {
    const run = sampleRun();
    expect(parseJsonReport(toJson(run))).toEqual(run);
    expect(() => parseJsonReport('{"format":"other","run":{}}')).toThrow(/not a fakefoundry-report\/1 report/);
    expect(() => parseJsonReport(JSON.stringify({ format: 'fakefoundry-report/1', run: { ...run, cases: [{ ...run.cases[0], outcome: 'maybe' }] } }))).toThrow(/cases\.0\.outcome/);
  });
});

describe('pretty writer', () => {
  it('prints a line per case worst first, failures in full with their diagram, then a summary; no colour unless asked', () => {
    const text = toPretty(sampleRun());
    expect(text).not.toMatch(/\x1b\[/);
    const lines = text.split('\n');
    expect(lines[0]).toBe('✗ lifecycle › bind <app> & "friends" (17 ms) — expected status 201, got 500');
    expect(lines[2]).toBe('○ errands › post-deploy errand (0 ms) — target url has no errand commands');
    expect(text).toContain('FAILED  lifecycle › bind <app> & "friends"');
    expect(text).toContain('    what happened:');
    expect(text).toMatch(/Platform \(CC\)[\s\S]*POST \/deployments/);
    expect(text).toContain('WARNED  quotas › global quota');
    expect(text).toContain('fakefoundry scenarios: 5 cases in 1.2 s');
    expect(text).toMatch(/ {2}failed {10}1\n/);
    expect(text.trimEnd().endsWith('total           5')).toBe(true);
    expect(toPretty(sampleRun(), { color: true })).toMatch(/\x1b\[31m✗\x1b\[0m/);
    expect(formatCaseLine(sampleRun().cases[0], { charset: 'ascii' })).toBe('ok lifecycle › provision a small instance (42 ms)');
  });
});

describe('HTML writer', () => {
  it('is one self-contained page: failures first, diagrams inline, every request a click away, no outside URL', () => {
    const html = toHtml(sampleRun());
    const ids = [...html.matchAll(/<details class="case (\S+)" id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['failed', 'warned', 'not-applicable', 'skipped', 'passed']);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<details class="call" id="call-');
    // The PUT's large body is written once for both cases that made it, and filled in on opening.
    expect(html.match(/<pre class="body" data-body="0"><\/pre>/g)).toHaveLength(2);
    const shared = JSON.parse(/<script type="application\/json" id="bodies">(.*?)<\/script>/s.exec(html)![1]) as string[];
    expect(shared).toHaveLength(1);
    expect(shared[0]).toContain('"service_id": "s"');
    expect(html).toContain('{&quot;access_token&quot;: &quot;x&quot;'.replace('{', '{\n  '));
    expect(html).toContain('bind &lt;app&gt; &amp; &quot;friends&quot;');
    const withoutNamespaces = html.replace(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '');
    expect(withoutNamespaces).not.toMatch(/https?:\/\/(?!bosh\.f1\.fakefoundry\.test)/);
    expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=/);
    expect(toHtml(sampleRun(), { diagrams: 'failed' }).match(/<svg /g)).toHaveLength(1);
  });

  it('never lets case text become markup (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (title, message) => {
        const html = toHtml({ tool: 't', title: 'T', started: '2026-01-01T00:00:00.000Z', duration: 1, cases: [{ id: title, title, suite: message, outcome: 'failed', duration: 1, tags: [title], message }] });
        const body = html.slice(html.indexOf('<main'), html.indexOf('</main>'));
        const text = body.replace(/<[^>]*>/g, '');
        expect(text).not.toMatch(/[<>]/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('writeReports', () => {
  it('writes the asked formats into the directory and pretty to the stream', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ff-report-'));
    let out = '';
    const stream = new Writable({ write: (chunk, _enc, cb) => ((out += String(chunk)), cb()) });
    const files = await writeReports(sampleRun(), { dir, formats: parseFormats('pretty, junit,json,html'), stream });
    expect(files.map((f) => path.basename(f))).toEqual(['junit.xml', 'report.json', 'report.html']);
    expect(out).toContain('fakefoundry scenarios: 5 cases');
    expect(parseJsonReport(await readFile(files[1], 'utf8')).cases).toHaveLength(5);
    const named = await writeReports(sampleRun(), { dir, formats: ['junit', 'html'], name: 'conformance' });
    expect(named.map((f) => path.basename(f))).toEqual(['conformance.junit.xml', 'conformance.html']);
    expect(() => parseFormats('pretty,tap')).toThrow("unknown reporter 'tap' (one of pretty, junit, json, html)");
  });
});
