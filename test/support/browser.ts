/**
 * A headless Chromium for tests, from npm (`@sparticuz/chromium` ships the binary inside the
 * package; `puppeteer-core` drives it): no system browser, no download at run time. Used by the
 * HTML report tests and the dashboard tests.
 */
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
  /** Requests the page tried to make to anything but `file:`, `data:`, `about:` and the allowed origins (all refused). */
  outside: string[];
}

/** Starts headless Chromium (the first start unpacks the binary to the temp directory: seconds). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await chromium.executablePath();
  return puppeteer.launch({ executablePath, args: chromium.args, headless: 'shell', defaultViewport: { width: 1280, height: 900 } });
}

export interface OpenOptions {
  /** Origins the page may also reach (a dashboard served on a loopback port). */
  allowOrigins?: string[];
}

/** Opens a URL (or `file://` path), recording console errors and refusing outside requests. */
export async function openPage(browser: Browser, url: string, opts: OpenOptions = {}): Promise<OpenedPage> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const outside: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e instanceof Error ? e.message : String(e)));
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const u = req.url();
    if (/^(file|data|about):/.test(u) || opts.allowOrigins?.some((o) => u.startsWith(`${o}/`))) void req.continue();
    else {
      outside.push(u);
      void req.abort();
    }
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, outside };
}
