import type { Context } from 'hono';
import type { CcDeps } from '../../deps.js';
import { baseUrl } from '../../http.js';

/** CC v3's answer to work done as a job: 202, no body, `Location` the job's absolute URL. */
export function accepted(c: Context, d: CcDeps, jobGuid: string): Response {
  return new Response(null, { status: 202, headers: { location: `${baseUrl(c, d.kernel)}/v3/jobs/${jobGuid}` } });
}
