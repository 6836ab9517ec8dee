import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHtml } from '../../report/index.js';
import { launchBrowser, openPage } from '../support/browser.js';
import { sampleRun } from './fixtures.js';

// A real headless Chromium (from npm): its first start unpacks the binary, hence the hook timeout.
describe('HTML report in headless Chromium', { timeout: 60_000 }, () => {
  let browser: Browser;
  const file = path.resolve('reports/test-report.html');
  beforeAll(async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, toHtml(sampleRun()));
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => browser?.close());

  it('loads offline with no console errors, draws the diagrams, and opens a failure’s details and a request’s headers and bodies', async () => {
    const { page, errors, outside } = await openPage(browser, pathToFileURL(file).href);
    expect(await page.$$eval('details.case', (els) => els.map((e) => e.getAttribute('data-outcome')))).toEqual(['failed', 'warned', 'not-applicable', 'skipped', 'passed']);
    // Diagrams are drawn: real SVG boxes with the participants' names.
    const boxes = await page.$$eval('figure.diagram svg', (svgs) => svgs.map((s) => { const b = s.getBoundingClientRect(); return [b.width > 200, b.height > 200, s.textContent?.includes('Platform (CC)')]; }));
    expect(boxes).toEqual([[true, true, true], [true, true, true]]);
    // A failed case opens on a click and shows its message; a request inside opens with its body.
    const failed = await page.$('details.case.failed');
    expect(await failed!.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await page.click('details.case.failed > summary');
    expect(await failed!.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await failed!.$eval('.message', (m) => (m as HTMLElement).innerText)).toBe('expected status 201, got 500');
    expect(await failed!.$eval('figure.diagram', (f) => (f as HTMLElement).offsetHeight > 200)).toBe(true);
    await failed!.$$eval('details.call > summary', (ss) => (ss.find((s) => s.textContent!.includes('PUT')) as HTMLElement).click());
    // Bodies are filled in by the toggle event, which the browser fires in a task after the click.
    await failed!.waitForSelector('details.call[open] .exchange pre[data-body][data-filled]');
    const exchange = await failed!.$eval('details.call[open] .exchange', (x) => (x as HTMLElement).innerText);
    expect(exchange).toContain('Request');
    expect(exchange).toContain('"service_id": "s"');
    expect(exchange).toContain('Response');
    await page.screenshot({ path: path.resolve('reports/report-screenshot.png'), fullPage: true });
    // The outcome filter hides the others.
    await page.click('button[data-filter="failed"]');
    expect(await page.$$eval('details.case:not(.hidden)', (els) => els.length)).toBe(1);
    await page.click('button[data-filter=""]');
    await page.type('#filter', 'quota');
    expect(await page.$$eval('details.case:not(.hidden) .title', (els) => els.map((e) => e.textContent))).toEqual(['global quota']);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('opens the case a #case-… link names', async () => {
    const { page, errors } = await openPage(browser, `${pathToFileURL(file).href}#case-errands_post-deploy`);
    expect(await page.$eval('#case-errands_post-deploy', (d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(errors).toEqual([]);
  });
});
