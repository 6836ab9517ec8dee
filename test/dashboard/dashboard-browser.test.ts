import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Foundation } from '../../fakes/foundation.js';
import { launchBrowser, openPage } from '../support/browser.js';
import { clientToken, populatedFoundation, startDeploy } from './fixture.js';

const SHOTS = path.resolve('reports/dashboard');

/**
 * The dashboard in a real headless Chromium (from npm), against a foundation that the test moves:
 * one browser and one page for the file; each test opens a view through its tab, as a user does.
 */
describe('dashboard in headless Chromium', { timeout: 60_000 }, () => {
  let browser: Browser;
  let f: Foundation;
  let page: Page;
  let errors: string[];
  let outside: string[];
  let instanceGuid: string;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    const made = await populatedFoundation();
    f = made.f;
    instanceGuid = made.instance.guid;
    const url = await f.dashboard();
    browser = await launchBrowser();
    ({ page, errors, outside } = await openPage(browser, url, { allowOrigins: [new URL(url).origin] }));
    await page.waitForSelector('#live.on');
  }, 120_000);
  // Every view, every step: no console error, no request to anywhere but the dashboard.
  afterEach(() => {
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  const tab = async (name: string) => {
    await page.click(`#tabs a[data-view="${name}"]`);
    await page.waitForSelector(`#view-${name}`);
  };
  const text = (selector: string) => page.$eval(selector, (e) => (e as HTMLElement).innerText);
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  it('BOSH: a deploy’s task log grows as the clock moves, then the deployment shows its instances, IPs and manifest', async () => {
    await tab('bosh');
    const task = await startDeploy(f, 'dash-redis');
    await page.waitForSelector(`#bosh-tasks tr[data-task="${task}"]`);
    await page.waitForSelector(`#bosh-task [data-task-id="${task}"]`);
    const events = () => page.$$eval('#bosh-task table.task-events tr.event', (rows) => rows.length);
    const seen: number[] = [await events()];
    let state = '';
    for (let i = 0; i < 200 && state !== 'done'; i++) {
      await f.clock.advance(250);
      state = f.bosh.model.task(task)!.state;
      const want = f.bosh.model.task(task)!.event_output.split('\n').filter((l) => l.includes('"stage"')).length;
      await page.waitForFunction((n) => document.querySelectorAll('#bosh-task table.task-events tr.event').length === n, {}, want);
      seen.push(await events());
      // Mid-deploy, as the README shows it.
      if (i === 12) await page.screenshot({ path: path.join(SHOTS, 'bosh-deploying.png') });
    }
    expect(state).toBe('done');
    // The log grew step by step while the page watched, not all at once.
    expect(new Set(seen).size).toBeGreaterThan(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    await page.waitForFunction((id) => document.querySelector(`#bosh-tasks tr[data-task="${id}"] .state`)?.textContent === 'done', {}, task);

    const dep = f.bosh.model.deployment('dash-redis')!;
    await page.waitForSelector('.deployment[data-deployment="dash-redis"]');
    const shown = await text('.deployment[data-deployment="dash-redis"]');
    for (const i of dep.instances.filter((x) => x.lifecycle === 'service')) {
      expect(shown).toContain(`redis-server/${i.id}`);
      expect(shown).toContain(i.networks[0].ip);
    }
    expect(shown).toContain('smoke-tests');
    expect(shown).toContain('redis/15.0.0');
    await page.click('.deployment[data-deployment="dash-redis"] details > summary');
    const manifest = await text('.deployment[data-deployment="dash-redis"] pre.manifest');
    expect(manifest).toContain('name: dash-redis');
    expect(manifest).toContain("password: '***'");
    expect(await text('#bosh-artifacts')).toContain(STEMCELL_NAME);
    await shot('bosh');
  });

  it('CC: the broker, the offering with its plans’ visibility, the instance’s last operation and upgrade, the binding', async () => {
    await tab('cc');
    await page.waitForSelector('tr[data-instance="orders-db"]');
    const instance = await text('tr[data-instance="orders-db"]');
    expect(instance).toContain('dashboard-db / small');
    expect(instance).toContain('dash-org / dev');
    expect(instance).toMatch(/create\s+succeeded/);
    expect(instance).toContain('upgrade available');
    expect(instance).toContain(instanceGuid);
    expect(await text('tr[data-broker="dash-broker"]')).toContain('AVAILABLE');
    expect(await text('.offering[data-offering="dashboard-db"] tr[data-plan="small"] .visibility')).toBe('public');
    expect(await text('.offering[data-offering="dashboard-db"] tr[data-plan="large"] .visibility')).toBe('admin only');
    const binding = await page.$$eval('tr[data-binding]', (rows) => rows.map((r) => (r as HTMLElement).innerText));
    expect(binding).toHaveLength(1);
    expect(binding[0]).toContain('orders-db');
    expect(binding[0]).toContain('web');
    // A new instance shows up without a reload.
    const cc = f.cc.driver;
    const space = cc.space('dash-org', 'dev');
    await cc.createInstance({ name: 'second-db', space: space.guid, plan: { offering: 'dashboard-db', plan: 'small' } });
    await page.waitForSelector('tr[data-instance="second-db"]');
    await shot('cc');
  });

  it('UAA: the clients, the users and the current signing key, with no secret on the page', async () => {
    await tab('uaa');
    await page.waitForSelector('tr[data-client="bosh_admin"]');
    expect(await text('#uaa-signing-key .kid')).toBe(f.uaa.model.activeKey.kid);
    const rotated = f.uaa.rotateKey();
    await f.clock.advance(1);
    await page.waitForFunction((kid) => document.querySelector('#uaa-signing-key .kid')?.textContent === kid, {}, rotated.kid);
    expect(await text('tr[data-user="admin"]')).toContain('cloud_controller.admin');
    const html = await page.content();
    for (const c of Object.values(f.uaa.model.state.clients)) if (c.client_secret) expect(html).not.toContain(c.client_secret);
    for (const u of Object.values(f.uaa.model.state.users)) expect(html).not.toContain(u.password);
    expect(html).not.toContain('PRIVATE KEY');
    await shot('uaa');
  });

  it('journal: live rows, filters, a request in full with secrets masked, and its sequence diagram', async () => {
    await tab('journal');
    await page.waitForSelector('#journal-rows tr');
    const before = await page.$$eval('#journal-rows tr', (rows) => rows.length);
    expect(before).toBe(f.journal.size);
    expect((await clientToken(f, 'cc_admin')).status).toBe(200);
    await page.waitForFunction((n) => document.querySelectorAll('#journal-rows tr').length === n + 1, {}, before);

    await page.select('#filter-service', 'cc->broker');
    await page.waitForFunction(() => [...document.querySelectorAll('#journal-rows tr')].every((r) => (r as HTMLElement).dataset.service === 'cc->broker'));
    const brokerCalls = f.journal.query({ service: 'cc->broker' }).length;
    await page.waitForFunction((n) => document.querySelectorAll('#journal-rows tr').length === n, {}, brokerCalls);
    await page.type('#filter-path', 'service_bindings');
    await page.waitForFunction(() => document.querySelectorAll('#journal-rows tr').length === 1);
    await page.click('#journal-rows tr');
    await page.waitForSelector('#journal-detail .response-body');
    const detail = await text('#journal-detail');
    expect(detail).toContain('PUT /v2/service_instances/');
    expect(detail).toContain('authorization: Basic ***');
    expect(detail).toContain('"credentials": "***"');
    expect(detail).not.toContain('binding-secret-value');

    await page.select('#filter-service', '');
    await page.$eval('#filter-path', (i) => ((i as HTMLInputElement).value = ''));
    await page.type('#filter-status', '2xx');
    await page.waitForFunction((n) => document.querySelectorAll('#journal-rows tr').length === n, {}, f.journal.all().filter((e) => e.status >= 200 && e.status < 300).length);
    await page.click('#draw-diagram');
    await page.waitForSelector('#journal-diagram svg');
    const diagram = await text('#journal-diagram .diagram');
    expect(diagram).toContain('Platform (CC)');
    expect(diagram).toContain('Broker');
    await shot('journal');
  });

  it('faults: a rule added in the page fails the next matching request, its hits count up live, and it can be removed', async () => {
    await tab('faults');
    await page.waitForSelector('#fault-list .empty');
    await page.type('#fault-form [name=name]', 'token outage');
    await page.type('#fault-form [name=service]', 'uaa');
    await page.select('#fault-form [name=method]', 'POST');
    await page.type('#fault-form [name=path]', '/oauth/token');
    await page.$eval('#fault-form [name=status]', (i) => ((i as HTMLInputElement).value = ''));
    await page.type('#fault-form [name=status]', '503');
    await page.type('#fault-form [name=times]', '1');
    await page.click('#fault-add');
    await page.waitForSelector('#fault-list tr[data-fault]');
    expect(f.faults.list()).toMatchObject([{ name: 'token outage', match: { service: 'uaa', method: 'POST', path: '/oauth/token' }, action: { type: 'status', status: 503 }, times: 1, hits: 0 }]);

    const failed = await clientToken(f, 'cc_admin');
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ error: expect.any(String) });
    expect((await clientToken(f, 'cc_admin')).status).toBe(200);
    await page.waitForFunction(() => document.querySelector('#fault-list tr[data-fault] .hits')?.textContent === '1');
    await shot('faults');
    await page.click('#fault-list tr[data-fault] button.remove');
    await page.waitForSelector('#fault-list .empty');
    expect(f.faults.list()).toEqual([]);
  });

  it('clock: shows the virtual time and moves it', async () => {
    await tab('clock');
    await page.waitForSelector('#clock-time');
    const start = f.clock.now();
    expect(await text('#clock-mode-value')).toBe('virtual');
    await page.click('button.advance[data-ms="60000"]');
    await page.waitForFunction((t) => document.querySelector('#clock-time')?.textContent === t, {}, new Date(start + 60_000).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'));
    expect(f.clock.now()).toBe(start + 60_000);
    await page.type('#advance-seconds', '90');
    await page.click('#advance-by');
    await page.waitForFunction(() => document.querySelector('#clock-now')?.textContent?.length);
    await page.waitForFunction((t) => document.querySelector('#clock-time')?.textContent === t, {}, new Date(start + 150_000).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'));
    expect(f.clock.now()).toBe(start + 150_000);
    await shot('clock');
  });
});

const STEMCELL_NAME = 'bosh-warden-boshlite-ubuntu-jammy-go_agent';
