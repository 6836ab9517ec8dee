import { expect } from 'vitest';
import { scenario } from '../harness/scenario.js';
import { body, replies, scriptedAdapter } from './support.js';

scenario('generate-manifest exit 1: the adapter’s stdout is the message the user sees', { tags: ['area:adapter', 'osb:2.13', 'odb:adapter-errors'], configure: scriptedAdapter({ 'generate-manifest': { exit: 1, stdout: 'this size is not available in this region', stderr: 'capacity check failed' } }) }, async (s) => {
  const si = await s.provision(s.plan(0));
  expect(si.last_operation).toMatchObject({ type: 'create', state: 'failed' });
  const put = replies(s, 'PUT', '/v2/service_instances/')[0];
  expect(put.status).toBe(500);
  expect(body(put).description).toBe('this size is not available in this region');
  expect(JSON.stringify(body(put))).not.toContain('capacity check failed');
  expect(s.tasks()).toEqual([]);
});

scenario('generate-manifest exit 1 with no stdout: the user gets ODB’s generic message', { tags: ['area:adapter', 'osb:2.13', 'odb:adapter-errors'], configure: scriptedAdapter({ 'generate-manifest': { exit: 1, stderr: 'panic' } }) }, async (s) => {
  await s.provision(s.plan(0));
  expect(body(replies(s, 'PUT', '/v2/service_instances/')[0]).description).toMatch(/^There was a problem completing your request/);
});

scenario('create-binding exit 49 (binding already exists) answers 409', { tags: ['area:adapter', 'osb:2.13', 'odb:adapter-errors', 'odb:bind'], configure: scriptedAdapter({ 'create-binding': { exit: 49 } }) }, async (s) => {
  const si = await s.provision(s.plan(0));
  await s.bind(si.guid).catch(() => undefined);
  expect(replies(s, 'PUT', `/v2/service_instances/${si.guid}/service_bindings/`)[0].status).toBe(409);
});

// ODB answers with brokerapi's canned error, which carries no OSB `RequiresApp` error code.
scenario('create-binding exit 42 (app GUID not provided) answers 422', { tags: ['area:adapter', 'osb:2.13', 'odb:adapter-errors', 'odb:bind'], configure: scriptedAdapter({ 'create-binding': { exit: 42 } }) }, async (s) => {
  const si = await s.provision(s.plan(0));
  await s.createKey(si.guid, 'needs-an-app');
  const put = replies(s, 'PUT', `/v2/service_instances/${si.guid}/service_bindings/`)[0];
  expect(put.status).toBe(422);
  expect(body(put)).toEqual({ description: 'app_guid is a required field but was not provided' });
});

scenario('create-binding exit 10 (not implemented) answers 500', { tags: ['area:adapter', 'osb:2.13', 'odb:adapter-errors', 'odb:bind'], configure: scriptedAdapter({ 'create-binding': { exit: 10 } }) }, async (s) => {
  const si = await s.provision(s.plan(0));
  await s.bind(si.guid).catch(() => undefined);
  expect(replies(s, 'PUT', `/v2/service_instances/${si.guid}/service_bindings/`)[0].status).toBe(500);
});

scenario('create-binding with another exit code answers 500 with the adapter’s stdout', { tags: ['area:adapter', 'osb:2.13', 'odb:adapter-errors', 'odb:bind'], configure: scriptedAdapter({ 'create-binding': { exit: 7, stdout: 'quota of users reached' } }) }, async (s) => {
  const si = await s.provision(s.plan(0));
  await s.bind(si.guid).catch(() => undefined);
  const put = replies(s, 'PUT', `/v2/service_instances/${si.guid}/service_bindings/`)[0];
  expect(put.status).toBe(500);
  expect(body(put).description).toBe('quota of users reached');
});

scenario('delete-binding exit 41 (binding not found) answers 410, and CC drops the binding', { tags: ['area:adapter', 'osb:2.13', 'odb:adapter-errors', 'odb:bind'], configure: scriptedAdapter({ 'delete-binding': { exit: 41 } }) }, async (s) => {
  const si = await s.provision(s.plan(0));
  const binding = await s.bind(si.guid);
  expect(await s.unbind(binding.guid)).toBeUndefined();
  expect(replies(s, 'DELETE', `/v2/service_instances/${si.guid}/service_bindings/`)[0].status).toBe(410);
});

scenario('dashboard-url exit 10 (not implemented) is fine: the instance has no dashboard', { tags: ['area:adapter', 'osb:2.13', 'odb:adapter-errors', 'odb:dashboard-url'], configure: scriptedAdapter({ 'dashboard-url': { exit: 10 } }) }, async (s) => {
  const si = await s.provision(s.plan(0));
  expect(si.last_operation).toMatchObject({ state: 'succeeded' });
  expect(body(replies(s, 'PUT', '/v2/service_instances/')[0]).dashboard_url).toBeUndefined();
});
