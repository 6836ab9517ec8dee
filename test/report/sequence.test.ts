import { describe, expect, it } from 'vitest';
import { renderSequenceSvg, traceToMermaid, traceToText } from '../../report/index.js';
import { entry, provisionTrace } from './fixtures.js';

describe('report/sequence: journal → Mermaid', () => {
  it('nests the broker’s calls inside CC’s request, folds polling, and places adapter steps', () => {
    expect(traceToMermaid(provisionTrace())).toBe(
      [
        'sequenceDiagram',
        '  participant CC as Platform (CC)',
        '  participant Broker as Broker',
        '  participant Adapter as Adapter',
        '  participant BOSH as BOSH',
        '  participant UAA as UAA',
        '  CC->>Broker: PUT /v2/service_instances/4f1c2b9e…?accepts_incomplete',
        '  Broker->>UAA: POST /oauth/token',
        '  UAA-->>Broker: 200 token',
        '  Broker->>Adapter: generate-manifest',
        '  Adapter-->>Broker: exit 0',
        '  Broker->>BOSH: POST /deployments',
        '  BOSH-->>Broker: 302 → /tasks/7',
        '  Broker-->>CC: 202 provision',
        '  CC->>Broker: GET /v2/service_instances/4f1c2b9e…/last_operation (×3)',
        '  Broker-->>CC: 200 in progress',
        '  CC->>Broker: GET /v2/service_instances/4f1c2b9e…/last_operation',
        '  Broker-->>CC: 200 succeeded',
        '',
      ].join('\n'),
    );
  });

  it('draws failures as crossed replies and honours from: tags and callerOf', () => {
    const journal = [
      entry({ service: 'bosh', method: 'GET', path: '/info', status: 503, wallTime: 1, faults: ['r1'] }),
      entry({ service: 'cc', method: 'GET', path: '/v2/info', status: 0, error: 'connection reset', wallTime: 2, tags: ['from:errand'] }),
    ];
    const m = traceToMermaid({ journal })!;
    expect(m).toContain('  BOSH--xBroker: 503 [fault]');
    expect(m).toContain('  CC--xerrand: connection reset');
    expect(m).toContain('  participant errand as errand');
    expect(traceToMermaid({ journal }, { callerOf: () => 'test' })).toContain('  test->>BOSH: GET /info');
  });

  it('returns undefined when there is nothing to draw, and caps long traces with a note', () => {
    expect(traceToMermaid({})).toBeUndefined();
    const journal = Array.from({ length: 30 }, (_, i) => entry({ service: 'bosh', method: 'GET', path: `/tasks/${i}`, status: 200, wallTime: i * 10 }));
    const m = traceToMermaid({ journal }, { maxMessages: 10 })!;
    expect(m.split('\n').filter((l) => / \w+->>/.test(l)).length).toBe(5);
    expect(m).toContain('Note over Broker: … 25 more calls not drawn');
  });

  it('keeps labels on one line and free of markup', () => {
    const journal = [entry({ service: 'bosh', method: 'GET', path: '/a<br>b&c\nd', status: 200, wallTime: 1 })];
    expect(traceToMermaid({ journal })).toContain('Broker->>BOSH: GET /abrb+c d');
  });

  it('renders text for terminals and a self-contained SVG', () => {
    const text = traceToText(provisionTrace())!;
    expect(text).toContain('Platform (CC)');
    expect(text).toContain('POST /deployments');
    expect(text).not.toMatch(/\x1b\[/);
    expect(traceToText(provisionTrace(), { ascii: true })).toMatch(/^[\x20-\x7e\n…→×]*$/);
    const svg = renderSequenceSvg(traceToMermaid(provisionTrace())!);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Platform (CC)');
    expect(svg).not.toContain('@import');
    expect(svg.replace(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '')).not.toMatch(/https?:\/\//);
  });
});
