// The dashboard in Debian's Chromium, against the real `llm-mux serve` that DashboardBrowserTests started with fake
// upstreams. Every wait is a Playwright auto-waiting locator or a polled condition with a generous timeout, never a
// sleep. Prints "ok <step>" per step; any failure exits 1 with the reason. Screenshots go to SCREENSHOT_DIR.
import { check, until, runScenario } from './harness.mjs';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const { BASE_URL, SECRET, CLIENT_KEY, OTHER_CLIENT_KEY, UPSTREAM_URL } = process.env;

async function chat(model, key = CLIENT_KEY) {
  const r = await fetch(`${BASE_URL}/v1/chat/completions`, {
    method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { status: r.status, body: await r.text() };
}

async function claude() {
  const r = await fetch(`${BASE_URL}/v1/messages`, {
    method: 'POST', headers: { 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01', 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { status: r.status, body: await r.text() };
}

await runScenario('failure', async ({ page, shot }) => {
  const open = async (hash, heading) => {
    await page.goto(`${BASE_URL}/dashboard/#/${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };

  // --- sign in: a wrong secret is refused, the right one accepted.
  await page.goto(`${BASE_URL}/dashboard/`);
  await page.getByLabel('Management secret').fill('not-the-secret');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#signin-error', { hasText: 'wrong management secret' }).waitFor();
  check(await page.locator('#nav').isHidden(), 'the pages were shown after a wrong secret');
  await shot('signin');
  await page.getByLabel('Management secret').fill(SECRET);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  check(await page.locator('#nav').isVisible(), 'no navigation after signing in');
  console.log('ok sign-in');

  // --- traffic: the busy key answers 429 with Retry-After; the request fails over to the good key.
  for (let i = 0; i < 3; i++) {
    const r = await chat('gpt-4.1');
    check(r.status === 200, `chat ${i} answered ${r.status}: ${r.body}`);
  }

  // --- accounts in their true states: the busy key cooling down until about an hour from now, the good one ready.
  await open('accounts', 'Accounts');
  const busy = page.locator('#accounts tbody tr', { hasText: 'up' }).filter({ has: page.locator('time') }).first();
  await busy.waitFor();
  const busyText = await busy.innerText();
  check(/in (59m|1h)/.test(busyText), `the busy key's cooldown does not end in about an hour: ${busyText}`);
  check(busyText.includes('gpt-4.1: cooling down') && busyText.includes('HTTP 429'), `the busy key does not show its cooldown and error: ${busyText}`);
  const ready = page.locator('#accounts tbody tr', { hasText: 'up' }).filter({ hasNot: page.locator('time') });
  check(/ready/.test(await ready.first().innerText()), `the good key is not ready: ${await ready.first().innerText()}`);
  check((await page.locator('#accounts tbody tr', { hasText: 'claude-alice@example.com' }).innerText()).includes('ready'), 'alice is not ready');
  console.log('ok accounts');

  // --- a request's failover chain: attempt 1 on the busy key (429), attempt 2 on the good one (200).
  await open('requests', 'Requests');
  await page.locator('#requests tbody tr').first().waitFor();
  await shot('requests');
  await page.getByLabel('Model').selectOption('gpt-4.1');
  const failedOver = page.locator('#requests tbody tr').filter({ has: page.locator('td[data-label="Attempts"]', { hasText: /^2$/ }) });
  await failedOver.getByRole('button', { name: /Details/ }).click();
  const chain = page.locator('#chain tbody tr');
  await until('two attempts in the chain', async () => (await chain.count()) === 2);
  const first = await chain.nth(0).innerText(), second = await chain.nth(1).innerText();
  check(first.includes('429') && first.includes('HTTP 429') && first.includes('up'), `attempt 1 is not the 429: ${first}`);
  check(second.includes('200') && second.includes('ok'), `attempt 2 is not the answer: ${second}`);
  check(await page.locator('#detail-title').evaluate((e) => e === document.activeElement), 'the detail did not take the focus');
  const facts = await page.locator('#detail dl').innerText();
  check(/OpenAIChat → OpenAIChat/.test(facts) && /Time to first byte[^\n]*\n?\s*\d+ ms/.test(facts), `the detail lacks the dialects or the time to first byte: ${facts}`);
  await shot('request-detail');
  console.log('ok failover-chain');

  // --- filters: by client key (its id, as the config's redaction marker names it; never the key) and by status.
  const keyId = 'key-' + createHash('sha256').update(CLIENT_KEY).digest('hex').slice(0, 8);
  await page.getByLabel('Model').selectOption('');
  await page.getByLabel('Client key').selectOption(keyId);
  await page.getByLabel('Status').selectOption('200');
  const byKey = page.locator('#requests tbody tr');
  await until('requests of the client key', async () => (await byKey.count()) >= 3);
  for (const row of await byKey.all()) {
    const text = await row.innerText();
    check(text.includes(keyId) && text.includes('200'), `a filtered row is not the key's 200: ${text}`);
  }
  check(!(await page.locator('main').innerText()).includes(CLIENT_KEY), 'the client key itself is shown');
  check(await page.locator('#requests th', { hasText: 'Instance' }).count() === 0, 'an Instance column without a cluster');
  console.log('ok request-filters');

  // --- disable alice in the UI; the next Claude requests all go to bob.
  await open('accounts', 'Accounts');
  await page.locator('#accounts tbody tr', { hasText: 'claude-alice@example.com' }).getByRole('button', { name: 'Disable' }).click();
  await page.locator('#accounts tbody tr', { hasText: 'claude-alice@example.com' }).locator('.state', { hasText: 'disabled' }).waitFor();
  await shot('accounts');
  for (let i = 0; i < 4; i++) {
    const r = await claude();
    check(r.status === 200 && r.body.includes('Hello from bob.'), `claude ${i} after disabling alice: ${r.status} ${r.body}`);
  }
  console.log('ok disable');

  // --- a device-code login started in the UI, shown with a copy button, completing once GitHub "approves".
  await page.getByLabel('Provider').selectOption('copilot');
  await page.getByRole('button', { name: 'Start login' }).click();
  await page.locator('#device-code', { hasText: 'ABCD-1234' }).waitFor();
  await page.getByRole('button', { name: 'Copy the device code' }).click();
  const copied = await until('the device code on the clipboard', () => page.evaluate(() => navigator.clipboard.readText()).then((t) => t === 'ABCD-1234'));
  check(copied, 'the copy button did not copy the code');
  await page.getByRole('link', { name: 'https://github.com/login/device' }).waitFor();
  await shot('login-device-code');
  const approved = await fetch(`${UPSTREAM_URL}/approve`, { method: 'POST' });
  check(approved.ok, 'the fake GitHub did not take the approval');
  await page.locator('#login-state', { hasText: 'Account github-copilot-octocat is ready.' }).waitFor({ timeout: 60_000 });
  await page.locator('#accounts tbody tr', { hasText: 'github-copilot-octocat' }).waitFor({ timeout: 60_000 });
  console.log('ok device-login');

  // --- a browser login on a headless gateway: its link shown, the callback URL the browser ended on pasted back.
  await open('accounts', 'Accounts');
  await page.getByLabel('Provider').selectOption('claude');
  await page.getByRole('button', { name: 'Start login' }).click();
  const link = page.locator('#login-status a[href*="/claude/oauth/authorize"]');
  await link.waitFor();
  const authorize = new URL(await link.getAttribute('href'));
  check(authorize.searchParams.get('code_challenge'), `the sign-in link has no PKCE challenge: ${authorize}`);
  await page.getByRole('button', { name: 'Copy the sign-in link' }).waitFor();
  const callback = page.getByLabel('Paste the address the browser ended on');
  await callback.waitFor();
  await shot('login-paste-callback');
  await callback.fill(`${authorize.searchParams.get('redirect_uri')}?code=pasted-code&state=${authorize.searchParams.get('state')}`);
  await page.getByRole('button', { name: 'Finish login' }).click();
  await page.locator('#login-state', { hasText: 'Account claude-carol@example.com is ready.' }).waitFor({ timeout: 60_000 });
  await page.locator('#accounts tbody tr', { hasText: 'claude-carol@example.com' }).waitFor({ timeout: 60_000 });
  console.log('ok pasted-callback');

  // --- an account file uploaded appears; disabled, enabled again, then removed it is gone (its file too).
  page.on('dialog', (d) => d.accept());
  await page.getByLabel('Or upload an account file').setInputFiles({
    name: 'claude-dave.json', mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ type: 'claude', email: 'dave@example.com', access_token: 'sk-ant-oat01-dave-DDDDDDDD', refresh_token: 'r-dave', expired: '2099-01-01T00:00:00Z' })),
  });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.locator('#upload-status', { hasText: 'Added claude-dave@example.com.' }).waitFor();
  const dave = page.locator('#accounts tbody tr', { hasText: 'claude-dave@example.com' });
  await dave.locator('.state', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
  await dave.getByRole('button', { name: 'Disable' }).click();
  await dave.locator('.state', { hasText: 'disabled' }).waitFor();
  await dave.getByRole('button', { name: 'Enable' }).click();
  await dave.locator('.state', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
  await dave.getByRole('button', { name: 'Remove' }).click();
  await until('dave removed', async () => (await dave.count()) === 0);
  console.log('ok upload-remove');

  // --- config: a broken one is refused with its line; a valid one is applied.
  await open('config', 'Config');
  const yaml = page.getByLabel('Config YAML');
  const original = await yaml.inputValue();
  check(original.includes('<redacted:'), 'the config was shown without its secrets redacted');
  await yaml.fill(original + '\nrouting: [\n');
  await page.getByRole('button', { name: 'Validate' }).click();
  const error = page.locator('#result li').first();
  await error.waitFor();
  const errorText = await error.innerText();
  check(/line \d+/.test(errorText), `the error names no line: ${errorText}`);
  await shot('config-error');
  await yaml.fill(original.replace('models: [gpt-4.1]', 'models: [gpt-4.1, gpt-4.1-mini]'));
  await page.getByRole('button', { name: 'Show diff' }).click();
  await page.locator('#diff', { hasText: 'gpt-4.1-mini' }).waitFor();
  await page.getByRole('button', { name: 'Validate' }).click();
  await page.locator('#result', { hasText: 'Valid' }).waitFor();
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.locator('#result', { hasText: 'Applied' }).waitFor();
  await shot('config');
  await until('gpt-4.1-mini served', async () => (await chat('gpt-4.1-mini')).status === 200);
  console.log('ok config');

  // --- every other page renders, and is screenshotted.
  await open('models', 'Models');
  await page.locator('#models tbody tr', { hasText: 'gpt-4.1-mini' }).waitFor();
  check((await page.locator('#models tbody tr', { hasText: 'claude-sonnet-4-5' }).innerText()).includes('claude'), 'claude-sonnet-4-5 has no chain');
  await shot('models');

  // --- usage: charts by day, provider, account, model and client key, a second client key counted apart, a cost
  // estimate once a price is entered (kept in this browser), and the CSV with the keys' ids (never the keys).
  const otherId = 'key-' + createHash('sha256').update(OTHER_CLIENT_KEY).digest('hex').slice(0, 8);
  const other = await chat('gpt-4.1', OTHER_CLIENT_KEY);
  check(other.status === 200, `the other client key's chat answered ${other.status}: ${other.body}`);
  await open('usage', 'Usage');
  const keyBars = page.locator('#chart-client_key svg g.bar');
  await until('both client keys charted', async () => {
    if ((await keyBars.count()) === 2) return true;
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
    return false;
  });
  for (const id of [keyId, otherId]) check(await page.locator(`#chart-client_key svg g.bar[data-key="${id}"]`).count() === 1, `no bar for client key ${id}`);
  const keyChart = await page.locator('#chart-client_key svg').getAttribute('aria-label');
  check(keyChart.startsWith('Tokens by client key: ') && keyChart.includes(keyId) && keyChart.includes(otherId), `the client-key chart's name: ${keyChart}`);
  for (const model of ['gpt-4.1', 'gpt-4.1-mini', 'claude-sonnet-4-5']) {
    check(await page.locator(`#chart-model svg g.bar[data-key="${model}"]`).count() === 1, `no bar for model ${model}`);
  }
  for (const k of ['provider', 'account']) check(await page.locator(`#chart-${k} svg g.bar`).count() >= 2, `fewer than two bars by ${k}`);
  const today = new Date().toISOString().slice(0, 10);
  const todayBar = page.locator(`#chart-day svg g.bar[data-key="${today}"] rect`);
  check(Number(await todayBar.getAttribute('height')) > 0, `today's bar (${today}) is empty`);
  await page.getByLabel('Group by').selectOption('client_key');
  await until('the table by client key', async () => (await page.locator('#usage tbody tr').count()) === 2);
  check((await page.locator('#usage tbody').innerText()).includes(otherId), 'the other key is not in the table');
  check(await page.locator('#usage th', { hasText: 'Cost' }).count() === 0, 'a cost column without prices');
  await page.getByLabel('gpt-4.1 input price, USD per 1M tokens').fill('2');
  await page.getByLabel('gpt-4.1 output price, USD per 1M tokens').fill('8');
  await page.getByLabel('Group by').selectOption('model');
  const cost = (model) => page.locator('#usage tbody tr', { has: page.locator('td[data-label="Model"]', { hasText: new RegExp(`^${model.replaceAll('.', '\\.')}$`) }) }).locator('td[data-label="Cost (estimate)"]');
  check(/^\$0\.\d*[1-9]/.test(await cost('gpt-4.1').innerText()), `gpt-4.1 has no cost: ${await cost('gpt-4.1').innerText()}`);
  check((await cost('claude-sonnet-4-5').innerText()) === '—', 'an unpriced model has a cost');
  const total = await page.locator('#usage-total').innerText();
  check(total.includes('Total') && /\$0\.\d*[1-9]/.test(total) && total.includes('some models unpriced'), `the total's cost: ${total}`);
  await page.locator('#cost-note', { hasText: 'estimate at your list prices' }).waitFor();
  await page.getByLabel('Charts show').selectOption('cost');
  await page.locator('#chart-model figcaption', { hasText: 'Cost (estimate) by model' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
  check((await page.getByLabel('gpt-4.1 input price, USD per 1M tokens').inputValue()) === '2', 'the price was not kept in the browser');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  check(file.suggestedFilename() === 'llm-mux-usage.csv', 'no CSV download');
  const csv = readFileSync(await file.path(), 'utf8');
  check(csv.startsWith('day,provider,account,model,client_key,requests,input_tokens,output_tokens,cost_usd_estimate\n'), `the CSV's header: ${csv.split('\n')[0]}`);
  check(csv.includes(keyId) && csv.includes(otherId) && !csv.includes(CLIENT_KEY) && !csv.includes(OTHER_CLIENT_KEY), 'the CSV lacks the key ids or holds a key');
  await shot('usage');
  console.log('ok usage');
  await open('connect', 'Connect');
  // The content of `llm-mux connect` (GET /connect/{client}), filled in with this gateway's address.
  const claudeCode = page.locator('section.snippet[data-client="claude-code"]');
  await claudeCode.locator('code', { hasText: `export ANTHROPIC_BASE_URL=${BASE_URL}` }).waitFor();
  check((await claudeCode.innerText()).includes('~/.claude/settings.json'), 'the Claude Code set-up names no settings file');
  await page.locator('section.snippet[data-client="codex"] code', { hasText: `base_url = "${BASE_URL}/v1"` }).waitFor();
  await page.getByLabel('Model to use (optional)').fill('claude-sonnet-4-5');
  await page.getByRole('button', { name: 'Fill in' }).click();
  await claudeCode.locator('code', { hasText: 'export ANTHROPIC_MODEL=claude-sonnet-4-5' }).waitFor();
  await shot('connect');
  await open('overview', 'Overview');
  await until('requests counted on the overview', async () => Number((await page.locator('#hour-requests').innerText()).replace(/\D/g, '')) >= 8);
  check((await page.locator('#active-streams').innerText()) === '0', 'active streams are not shown as 0 with none running');
  await page.locator('#instances tbody tr', { hasText: '(this one)' }).waitFor();
  await shot('overview');
  // Keyboard: the nav links are reachable with Tab from the skip link.
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.textContent?.includes('Skip')), 'Tab does not reach the skip link first');
  // A phone-sized screen and the dark theme render too.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await open('accounts', 'Accounts');
  await shot('accounts-phone-dark');
  await open('usage', 'Usage');
  const phoneChart = await page.locator('#chart-day svg').boundingBox();
  check(phoneChart && phoneChart.width <= 390, `the day chart overflows a phone: ${JSON.stringify(phoneChart)}`);
  await shot('usage-phone-dark');
  console.log('ok pages');
}, { grant: ['clipboard-read', 'clipboard-write'], origin: BASE_URL });
