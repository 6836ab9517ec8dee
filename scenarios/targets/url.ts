import type { Capability, RunningBroker, Target, TargetSpec } from './types.js';

/**
 * A broker already running somewhere, configured against a `fakefoundry up --state FILE` on fixed
 * ports. Each scenario brings the fakes up afresh from that state on those ports (same CA, keys and
 * credentials, so the broker's config stays valid); scenarios therefore run one at a time.
 */
export function urlTarget(spec: Extract<TargetSpec, { kind: 'url' }>): Target {
  return {
    spec,
    name: spec.name ?? 'url',
    capabilities: new Set<Capability>(spec.capabilities ?? []),
    network: true,
    async start(): Promise<RunningBroker> {
      return {
        url: spec.url.replace(/\/$/, ''),
        username: spec.username,
        password: spec.password,
        async stop() {
          // Not ours to stop.
        },
        log: () => '',
      };
    },
  };
}
