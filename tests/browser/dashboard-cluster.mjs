// The dashboard of a fleet in Debian's Chromium: two real `llm-mux serve` replicas on one Redis, started by
// DashboardClusterBrowserTests. Each wait is an auto-waiting locator or a polled condition, never a sleep. Prints
// "ok <step>" per step; any failure exits 1 with the reason. Screenshots go to SCREENSHOT_DIR.
import { check, fail, until, runScenario } from './harness.mjs';

const { REPLICA_A, REPLICA_B, SECRET, CLIENT_KEY, UPSTREAM_URL } = process.env;

const chat = (base, model, stream = false) => fetch(`${base}/v1/chat/completions`, {
  method: 'POST', headers: { Authorization: `Bearer ${CLIENT_KEY}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
});
const management = (base, path, cookie) => fetch(`${base}/v0/management/${path}`, { headers: cookie ? { Cookie: cookie } : { 'X-Management-Key': SECRET } });
const upstream = async (path) => check((await fetch(`${UPSTREAM_URL}${path}`, { method: 'POST' })).ok, `the test harness refused ${path}`);

await runScenario('cluster-failure', async ({ context, page, shot }) => {
  // A fresh load each time: going to the address the page is on would change nothing, and polls re-read the page.
  const open = async (base, hash, heading) => {
    const target = `${base}/dashboard/#/${hash}`;
    if (page.url() === target) await page.reload(); else await page.goto(target);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  const ids = (await (await management(REPLICA_A, 'cluster')).json());
  const self = ids.self;
  const other = (await (await management(REPLICA_B, 'cluster')).json()).self;
  check(self && other && self !== other, `the replicas do not have two instance ids: ${self} ${other}`);

  // --- signed in on replica A: the Overview lists both instances of the connected cluster.
  await page.goto(`${REPLICA_A}/dashboard/`);
  await page.getByLabel('Management secret').fill(SECRET);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await page.locator('#cluster-state', { hasText: 'connected' }).waitFor();
  await until('both instances listed', async () => {
    await open(REPLICA_A, 'overview', 'Overview');
    return (await page.locator('#instances tbody tr').count()) === 2;
  });
  await page.locator('#instances tbody tr', { hasText: `${self}` }).filter({ hasText: '(this one)' }).waitFor();
  await page.locator('#instances tbody tr', { hasText: other }).waitFor();
  console.log('ok fleet-instances');

  // --- the same browser on replica B (as a load balancer would send it) is signed in already: one session for the fleet.
  await page.goto(`${REPLICA_B}/dashboard/`);
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  check(await page.locator('#nav').isVisible(), 'replica B asked to sign in again');
  await page.locator('#instances tbody tr', { hasText: other }).filter({ hasText: '(this one)' }).waitFor();
  console.log('ok shared-session');

  // --- a 429 met on replica B cools the busy key for the fleet: replica A's Accounts page shows it, and A never tries it.
  const first = await chat(REPLICA_B, 'gpt-4.1');
  check(first.status === 200, `the first chat on B answered ${first.status}: ${await first.text()}`);
  const busy = page.locator('#accounts tbody tr', { hasText: 'up' }).filter({ has: page.locator('time') });
  await until('the cooldown from replica B shown on replica A', async () => {
    await open(REPLICA_A, 'accounts', 'Accounts');
    return (await busy.count()) === 1;
  });
  const busyText = await busy.innerText();
  check(/in (59m|1h)/.test(busyText) && busyText.includes('cooling down'), `the cooldown is not the hour replica B learned: ${busyText}`);
  for (let i = 0; i < 2; i++) {
    const r = await chat(REPLICA_A, 'gpt-4.1');
    check(r.status === 200, `chat ${i} on A answered ${r.status}`);
  }
  let goodText = '';
  await until('the fleet\'s requests on the good key', async () => {
    await open(REPLICA_A, 'accounts', 'Accounts');
    goodText = await page.locator('#accounts tbody tr', { hasText: 'up' }).filter({ hasNot: page.locator('time') }).innerText();
    return /3 \/ 3 \(fleet\)/.test(goodText);
  }).catch(async (e) => fail(`${e.message}; the good key's row: ${goodText}; A: ${await (await management(REPLICA_A, 'accounts')).text()}; B: ${await (await management(REPLICA_B, 'accounts')).text()}`));
  await shot('cluster-accounts');
  console.log('ok fleet-accounts');

  // --- the request log is the fleet's: every request names its instance; filtering by one shows only its requests.
  await until('requests of both instances', async () => {
    await open(REPLICA_A, 'requests', 'Requests');
    await page.locator('#requests tbody tr').first().waitFor();
    return (await page.locator('#requests tbody tr').count()) === 3;
  });
  check(await page.locator('#requests th', { hasText: 'Instance' }).count() === 1, 'no Instance column in a cluster');
  await page.getByLabel('Instance').selectOption(other);
  await until('only replica B\'s request', async () => (await page.locator('#requests tbody tr').count()) === 1);
  const onB = await page.locator('#requests tbody tr').innerText();
  check(onB.includes(other) && onB.includes('200'), `the filtered row is not B's request: ${onB}`);
  await page.locator('#requests tbody tr').getByRole('button', { name: /Details/ }).click();
  await until('the chain of B\'s request', async () => (await page.locator('#chain tbody tr').count()) === 2);
  await shot('cluster-requests');
  console.log('ok fleet-requests');

  // --- a stream held open on replica B is on replica A's Overview: the fleet's count and B's row.
  const held = await chat(REPLICA_B, 'slow-stream', true);
  check(held.status === 200, `the stream on B answered ${held.status}`);
  const reader = held.body.getReader();
  await reader.read();
  await until('B\'s stream on A\'s overview', async () => {
    await open(REPLICA_A, 'overview', 'Overview');
    const streams = Number(await page.locator('#active-streams').innerText());
    const row = await page.locator('#instances tbody tr', { hasText: other }).innerText();
    return streams === 1 && /\b1\b/.test(row.split(/\t/).slice(-2).join(' '));
  });
  await page.locator('#cluster-state', { hasText: 'the whole fleet' }).waitFor();
  await shot('cluster-overview');
  await upstream('/release');
  while (!(await reader.read()).done) { /* drain */ }
  // The last hour's count is the fleet's: A's two requests and B's two (the failed-over one and the stream).
  await until('the stream gone and counted on the overview', async () => {
    await open(REPLICA_A, 'overview', 'Overview');
    return (await page.locator('#active-streams').innerText()) === '0' && (await page.locator('#hour-requests').innerText()) === '4';
  });
  for (const id of [self, other]) {
    const row = await page.locator('#instances tbody tr', { hasText: id }).innerText();
    check(/\b2 \/ 2\b/.test(row), `instance ${id} does not count its two requests of the last hour and day: ${row}`);
  }
  await open(REPLICA_A, 'usage', 'Usage');
  await page.locator('#usage tbody tr').first().waitFor();
  await shot('cluster-usage');
  console.log('ok fleet-activity');

  // --- Redis away: the Overview says so and what it shows is this replica's; the session this replica holds goes on.
  await upstream('/redis/stop');
  await until('the overview saying Redis is unreachable', async () => {
    await open(REPLICA_A, 'overview', 'Overview');
    return (await page.locator('#cluster-state').innerText()).includes('unreachable');
  });
  await page.locator('#cluster-state', { hasText: 'this instance' }).waitFor();
  await shot('cluster-redis-away');
  await upstream('/redis/start');
  await until('Redis back for both replicas', async () => {
    const [a, b] = await Promise.all([management(REPLICA_A, 'cluster'), management(REPLICA_B, 'cluster')]);
    return (await a.json()).connected && (await b.json()).connected;
  });
  console.log('ok redis-away');

  // --- signing out on replica B ends the session on replica A too (the same cookie is refused there now).
  const cookie = (await context.cookies(REPLICA_A)).map((c) => `${c.name}=${c.value}`).join('; ');
  check((await management(REPLICA_A, 'accounts', cookie)).status === 200, 'the session does not work on A before the sign-out');
  await open(REPLICA_B, 'overview', 'Overview');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Management secret').waitFor();
  await until('the session refused on replica A', async () => (await management(REPLICA_A, 'accounts', cookie)).status === 401);
  console.log('ok shared-sign-out');
});
