/**
 * One OSB request's context: a fresh request id on every log line, the details ODB's generic error
 * names, and ODB's `processError` (log the operator side, answer the user side).
 * @module
 */
import type { Logger } from '../log.js';
import { DisplayableError, type RequestContext } from '../osb/errors.js';
import type { Deps } from './deps.js';

export interface Op {
  deps: Deps;
  log: Logger;
  rc: RequestContext;
}

export function newOp(deps: Deps, instanceId: string, operation: string, requestId = deps.newId()): Op {
  return {
    deps,
    log: deps.logger.forRequest(requestId),
    rc: { serviceName: deps.config.service_catalog.service_name, instanceId, requestId, operation },
  };
}

/** Logs the error and returns what the CF user gets (both sides with `expose_operational_errors`). */
export function processError(op: Op, err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  op.log.log(e.message);
  if (e instanceof DisplayableError) return op.deps.config.broker.expose_operational_errors ? e.extended() : e.forUser;
  return e;
}
