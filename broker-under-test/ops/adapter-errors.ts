/**
 * ODB's `adapterToAPIError`: binding exit codes become brokerapi's answers, exit 1 shows the adapter's
 * stdout to the CF user (or the generic text when it printed nothing), the rest is generic.
 * @module
 */
import {
  AppGuidNotProvidedError,
  BindingAlreadyExistsError,
  BindingNotFoundError,
  UnknownFailureError,
} from '../adapter/errors.js';
import { Errors, genericError } from '../osb/errors.js';
import type { Op } from './context.js';

export function adapterToApiError(op: Op, err: unknown): Error {
  if (err instanceof BindingAlreadyExistsError) return Errors.bindingAlreadyExists();
  if (err instanceof BindingNotFoundError) return Errors.bindingDoesNotExist();
  if (err instanceof AppGuidNotProvidedError) return Errors.appGuidNotProvided();
  if (err instanceof UnknownFailureError) {
    return err.userMessage ? new Error(err.userMessage) : genericError(op.rc, err).forUser;
  }
  return genericError(op.rc, err instanceof Error ? err : new Error(String(err)));
}
