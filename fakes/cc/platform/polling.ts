/**
 * The polling cadence of CC's reoccurring jobs (reoccurring_job.rb, C.4). The first poll runs at
 * once after a 202; each later one waits
 *   min(max(retry_after clamped to [default, max], default * backoff^n), max)
 * seconds. A broker cannot make CC poll faster than the default interval.
 */
export interface PollSettings {
  defaultIntervalSeconds: number;
  maxIntervalSeconds: number;
  backoffRate: number;
  maxDurationMinutes: number;
}

export const DEFAULT_POLL_SETTINGS: PollSettings = {
  defaultIntervalSeconds: 60,
  maxIntervalSeconds: 86_400,
  backoffRate: 1.0,
  maxDurationMinutes: 10_080,
};

/** Seconds until the next poll; `pollsDone` counts polls already sent (>= 1). */
export function nextPollDelaySeconds(s: PollSettings, pollsDone: number, retryAfter: number | undefined): number {
  const backoff = s.defaultIntervalSeconds * s.backoffRate ** Math.max(0, pollsDone - 1);
  const clampedRetry =
    retryAfter === undefined ? 0 : Math.min(Math.max(retryAfter, s.defaultIntervalSeconds), s.maxIntervalSeconds);
  return Math.min(Math.max(clampedRetry, backoff), s.maxIntervalSeconds);
}

/** The polling budget: CC's maximum, or the plan's `maximum_polling_duration` when smaller. */
export function maxPollingMs(s: PollSettings, planMaxSeconds: number | undefined): number {
  const cc = s.maxDurationMinutes * 60_000;
  if (planMaxSeconds === undefined || planMaxSeconds === null || !(planMaxSeconds > 0)) return cc;
  return Math.min(cc, planMaxSeconds * 1000);
}
