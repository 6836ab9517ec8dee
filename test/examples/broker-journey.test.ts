import { describe, expect, it } from 'vitest';
import { brokerJourney } from '../../examples/broker-journey.js';

describe('the README broker journey example', () => {
  it('provisions asynchronously, binds, unbinds and deprovisions through the fake CC', async () => {
    const { states, brokerCalls } = await brokerJourney('readme');
    expect(states).toEqual(['in progress', 'succeeded']);
    const shapes = brokerCalls.map((c) => c.replace(/[0-9a-f-]{36}/g, ':id'));
    expect(shapes).toEqual([
      'GET /v2/catalog -> 200',
      'PUT /v2/service_instances/:id -> 202',
      'GET /v2/service_instances/:id/last_operation -> 200',
      'GET /v2/service_instances/:id/last_operation -> 200',
      'PUT /v2/service_instances/:id/service_bindings/:id -> 201',
      'DELETE /v2/service_instances/:id/service_bindings/:id -> 200',
      'DELETE /v2/service_instances/:id -> 200',
    ]);
  });
});
