/**
 * What one adapter-check run shares across its cases (the secrets seen so far, the fake CredHub,
 * the failed calls) and what each lane of it has (a lane is one plan in one input mode, run
 * beside the others): the adapter runner (the broker's own), a director, its ids, and how each
 * case is recorded.
 * @module
 */
import {
  AdapterError,
  AdapterOutputError,
  AdapterRunError,
  AppGuidNotProvidedError,
  BindingAlreadyExistsError,
  BindingNotFoundError,
  NotImplementedError,
  executableAdapter,
  type AdapterRunner,
  type AdapterSubcommand,
  type ServiceAdapter,
} from '../broker-under-test/adapter/index.js';
import type { CaseResult, Outcome } from '../report/index.js';
import type { CheckDirector, ReleaseSpec } from './director.js';
import { CaseRecorder, findingDetails, type Finding } from './findings.js';
import { FakeCredhub } from './credhub.js';
import { SecretSet } from './secrets.js';

export type Obj = Record<string, unknown>;
export const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);
export type InputMode = 'stdin' | 'legacy';

/** What a case body reports. `blocking`: later cases of the suite cannot run without this one. */
export interface StepResult {
  outcome: Outcome;
  message?: string;
  finding?: Finding;
  details?: string;
  blocking?: boolean;
}

/** What every lane of a run shares. */
export class RunShared {
  readonly secrets = new SecretSet();
  /** ODB's secure manifests (`broker.enable_secure_manifests`): ODB-managed secrets go to CredHub. */
  readonly secureManifests: boolean;
  readonly credhub: FakeCredhub;
  /** Adapter calls that did not exit 0, with their raw stdout (for the secret-leak check). */
  readonly failures: { mode: InputMode; lane: number; error: AdapterError; recorder: CaseRecorder }[] = [];

  constructor(config: Obj) {
    this.secureManifests = isObj(config.broker) && config.broker.enable_secure_manifests === true;
    this.credhub = new FakeCredhub(isObj(config.service_catalog) ? String(config.service_catalog.id ?? '') : '');
  }
}

/** One lane of a run: its director, adapter runners and ids, over what the run shares. */
export class RunContext {
  /** Release name → job specs seen in any manifest (the director is seeded with their union). */
  readonly releaseJobs = new Map<string, Map<string, ReleaseSpec['jobs'][number]>>();
  /** Release name → versions seeded so far. */
  readonly seeded = new Map<string, Set<string>>();
  private current: CaseRecorder | undefined;
  private ids = 0;
  private readonly adapters = new Map<InputMode, ServiceAdapter>();

  constructor(
    readonly adapterPath: string,
    readonly config: Obj,
    readonly director: CheckDirector,
    readonly timeoutMs: number,
    /** Receives every case as it ends. */
    private readonly onCase: (c: CaseResult) => void,
    readonly shared: RunShared = new RunShared(config),
    /** The lane's number: its GUIDs differ from other lanes' (their deployments share CredHub). */
    readonly lane = 0,
    /** How adapter calls run (default: a process per call). */
    readonly runner?: AdapterRunner,
  ) {}

  get secrets(): SecretSet {
    return this.shared.secrets;
  }

  get secureManifests(): boolean {
    return this.shared.secureManifests;
  }

  get credhub(): FakeCredhub {
    return this.shared.credhub;
  }

  adapter(mode: InputMode): ServiceAdapter {
    let a = this.adapters.get(mode);
    if (!a) {
      a = executableAdapter({ path: this.adapterPath, inputMode: mode, timeoutMs: this.timeoutMs, runner: this.runner, onCall: (call) => this.current?.record(call) });
      this.adapters.set(mode, a);
    }
    return a;
  }

  /**
   * A stable GUID-shaped id: the same run gives the same ids, so reports compare across runs
   * (lane 0: `00000000-0000-4000-8000-000000000001`, lane 1: `...-8001-000000000001`).
   */
  guid(): string {
    this.ids++;
    return `00000000-0000-4000-${(0x8000 + this.lane).toString(16)}-${this.ids.toString(16).padStart(12, '0')}`;
  }

  /** Runs one case body, recording its adapter calls, journal and outcome. */
  async runCase(id: string, title: string, suite: string, tags: string[], body: (rec: CaseRecorder) => Promise<StepResult>): Promise<StepResult> {
    const rec = new CaseRecorder(id, title, suite, tags, this.director.mark());
    this.current = rec;
    let r: StepResult;
    try {
      r = await body(rec);
    } catch (err) {
      r = err instanceof AdapterError ? { outcome: 'failed', ...unexpectedAdapterError(err, rec), blocking: true } : { outcome: 'failed', message: `adapter-check could not finish this case: ${(err as Error).message}`, details: (err as Error).stack, blocking: true };
    } finally {
      this.current = undefined;
    }
    for (const call of rec.calls) this.learnSecrets(call.stdout);
    const extra: Partial<CaseResult> = {};
    if (r.message) extra.message = this.secrets.mask(r.message);
    if (r.finding) {
      const f = findingDetails(this.adapterPath, { ...r.finding, call: r.finding.call ?? rec.lastCall }, this.secrets.mask);
      extra.details = this.secrets.mask(f.details) + (r.details ? `\n\n${this.secrets.mask(r.details)}` : '');
      if (f.reproduction) extra.reproduction = this.secrets.mask(f.reproduction);
    } else if (r.details) extra.details = this.secrets.mask(r.details);
    const journal = this.director.journalSince(rec.journalMark);
    if (journal.length) extra.journal = journal;
    const result = rec.finish(r.outcome, extra);
    this.onCase(result);
    return r;
  }

  /**
   * Secrets in output adapter-check could not use (a manifest after a log line, say): any JSON
   * object on stdout with a "manifest" string, or YAML, is searched for secret-looking values.
   */
  learnSecrets(stdout: string): void {
    const start = stdout.indexOf('{');
    if (start >= 0) {
      try {
        const doc = JSON.parse(stdout.slice(start)) as unknown;
        if (isObj(doc) && typeof doc.manifest === 'string') this.secrets.addManifest(doc.manifest);
        else this.secrets.addValues(doc);
        return;
      } catch {
        // not JSON from there on
      }
    }
    this.secrets.addManifest(stdout);
  }

  /** Records a case that was never reached. */
  notRun(id: string, title: string, suite: string, tags: string[], why: string): void {
    this.onCase({ id, title, suite, outcome: 'not-run', duration: 0, tags, message: why });
  }

  /** Keeps a failed call's raw output for the secret-leak check. */
  noteFailure(mode: InputMode, error: unknown, recorder: CaseRecorder): void {
    if (error instanceof AdapterError) this.shared.failures.push({ mode, lane: this.lane, error, recorder });
  }
}

const WHY_EXIT: Partial<Record<AdapterSubcommand, string>> = {
  'generate-manifest': 'ODB runs generate-manifest for every provision, update and upgrade; anything but exit 0 fails the operation, and on exit 1 ODB shows stdout to the Cloud Foundry user (SDK exit codes, odb-broker.md §6).',
  'create-binding': 'ODB maps create-binding exit codes to OSB answers: 0 bound, 42 → 422 RequiresApp, 49 → 409 Conflict, anything else → 500 with stdout shown to the user.',
  'delete-binding': 'ODB maps delete-binding exit codes: 0 unbound, 41 → 410 Gone, anything else → 500.',
  'dashboard-url': 'dashboard-url may exit 10 (not implemented; ODB then shows no dashboard); any other failure fails the provision.',
  'generate-plan-schemas': 'With broker.enable_plan_schemas, ODB builds its catalog from generate-plan-schemas; a failure stops the broker from starting.',
};

/** A finding for an adapter error where success was expected. */
export function unexpectedAdapterError(err: AdapterError, rec: CaseRecorder, input = '(see the reproduction)', expected = 'exit 0 and the output the SDK defines'): { message: string; finding: Finding } {
  const sub = err.subcommand;
  const call = rec.calls.filter((c) => c.subcommand === sub).at(-1);
  if (err instanceof AdapterRunError) {
    if (err.timedOut) {
      return {
        message: `${sub} did not finish in time and was killed`,
        finding: { message: '', input, expected: 'the call to end on its own', why: 'ODB waits for its service adapter without a time limit: the broker request hangs, CC gives up on it, and the instance or binding is left in progress.', call },
      };
    }
    return { message: `${sub} could not be run: ${err.message}`, finding: { message: '', input, expected: 'an executable file', why: 'service_adapter.path must name an executable file; ODB refuses to start otherwise.', call } };
  }
  if (err instanceof AdapterOutputError) {
    const hint = /invalid JSON|not valid YAML|is not valid JSON|Unexpected token/.test(err.message) ? ' Only the result goes to stdout: log lines belong on stderr.' : '';
    // ODB's message quotes stdout and stderr, which the finding shows apart (and masked).
    const odb = err.message.split(/\. stdout: '|, stdout: '| stdout: '/)[0];
    return { message: `${sub} exited 0 but ODB cannot use what it printed: ${odb}`, finding: { message: '', input, expected, why: `ODB reads stdout as the result and refuses it with: ${odb}.${hint}`, call } };
  }
  const meaning = err instanceof NotImplementedError ? ' ("not implemented")'
    : err instanceof BindingNotFoundError ? ' ("binding not found")'
      : err instanceof AppGuidNotProvidedError ? ' ("app GUID not provided")'
        : err instanceof BindingAlreadyExistsError ? ' ("binding already exists")' : '';
  const out = err.stdout.trim() ? `: ${err.stdout.trim().split('\n')[0]}` : '';
  return { message: `${sub} exited ${err.exitCode}${meaning}${out}`, finding: { message: '', input, expected, why: WHY_EXIT[sub] ?? 'See the SDK exit codes (odb-broker.md §6).', call } };
}
