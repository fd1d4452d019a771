// What every dashboard scenario shares: Debian's Chromium launched headless, a page that records console errors and
// page errors as problems, screenshots into SCREENSHOT_DIR, polled waits (never a sleep), and one failure report.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const SHOTS = process.env.SCREENSHOT_DIR || 'screenshots';
export const TIMEOUT = 30_000;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const fail = (message) => { throw new Error(message); };
export const check = (condition, message) => { if (!condition) fail(message); };

/** Polls fn until it returns a truthy value (or throws once the timeout has passed). */
export async function until(what, fn, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    if (Date.now() > deadline) fail(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

/**
 * Runs scenario({ context, page, shot }) in a fresh browser and exits the process: 0 when it returned and the browser
 * reported no problem, else 1 with the reason, the page's text and a screenshot named failureShot.
 */
export async function runScenario(failureShot, scenario, { grant = [], origin } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const problems = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  let code = 0;
  let page = null;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    if (grant.length) await context.grantPermissions(grant, { origin });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // A refused sign-in is a 401 the browser logs as a failed load; anything else (a CSP violation, an exception) counts.
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|400|404)/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    await scenario({ context, page, shot });
    check(problems.length === 0, `the browser reported problems:\n${problems.join('\n')}`);
  } catch (e) {
    console.error(`FAILED: ${e.message}`);
    await page?.screenshot({ path: join(SHOTS, `${failureShot}.png`), fullPage: true }).catch(() => {});
    console.error(`(screenshot of the failure: ${join(SHOTS, `${failureShot}.png`)}; page text: ${await page?.locator('main').innerText().catch(() => '')})`);
    if (problems.length) console.error(problems.join('\n'));
    code = 1;
  } finally {
    await browser.close();
  }
  process.exit(code);
}
