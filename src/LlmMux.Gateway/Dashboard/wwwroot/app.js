// The llm-mux dashboard: plain ES modules (no build step), hash routing, reads the management API with the cookie
// session. Everything shown is metadata: the API never returns a secret or a body, and nothing here asks for one.
import { usagePage } from './usage.js';

const main = document.getElementById('main');
let csrf = null;
let timer = null; // the current page's polling, stopped on every route change

const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat(Infinity)) if (k !== null && k !== undefined) e.append(k);
  return e;
};
const when = (t) => (t ? new Date(t).toLocaleString() : '');
const num = (n) => (n ?? 0).toLocaleString();

/** "in 4m 10s" / "3m ago": a countdown to a time, in the browser's clock. */
function countdown(t) {
  if (!t) return '';
  let s = Math.round((new Date(t) - Date.now()) / 1000);
  const past = s < 0; s = Math.abs(s);
  const parts = s >= 86400 ? [`${Math.floor(s / 86400)}d`, `${Math.floor((s % 86400) / 3600)}h`]
    : s >= 3600 ? [`${Math.floor(s / 3600)}h`, `${Math.floor((s % 3600) / 60)}m`]
      : s >= 60 ? [`${Math.floor(s / 60)}m`, `${s % 60}s`] : [`${s}s`];
  return past ? `${parts.join(' ')} ago` : `in ${parts.join(' ')}`;
}
const timeCell = (t) => (t ? el('time', { datetime: t, title: when(t), text: `${when(t)} (${countdown(t)})` }) : '');

async function api(method, path, body, type = 'application/json') {
  const headers = {};
  if (method !== 'GET') headers['X-LlmMux-Csrf'] = csrf ?? '';
  if (body !== undefined) headers['Content-Type'] = type;
  const r = await fetch('/v0/management' + path, { method, headers, body, credentials: 'same-origin' });
  if (r.status === 401) { await start(); throw new Error('signed out'); }
  const text = await r.text();
  let parsed = text;
  if (text && r.headers.get('content-type')?.includes('json')) { try { parsed = JSON.parse(text); } catch { /* shown as text */ } }
  return { status: r.status, ok: r.ok, body: parsed };
}
const problem = (r) => (r.body?.errors?.join('; ') || r.body?.error?.message || r.body?.detail || r.body?.title || `HTTP ${r.status}`);

function table(rows, cols, empty, opts = {}) {
  if (!rows.length) return el('p', { class: 'empty', text: empty });
  const t = el('table', { id: opts.id });
  if (opts.caption) t.append(el('caption', { class: 'sr-only', text: opts.caption }));
  t.append(el('thead', {}, el('tr', {}, cols.map(([h]) => el('th', { scope: 'col', text: h })))));
  const b = el('tbody');
  for (const r of rows) {
    const tr = el('tr', opts.rowAttrs ? opts.rowAttrs(r) : {}, cols.map(([h, f]) => { const v = f(r); return el('td', { 'data-label': h }, v instanceof Node ? v : String(v ?? '')); }));
    b.append(tr);
  }
  t.append(b);
  return el('div', { class: 'scroll' }, t);
}

function copyButton(text, label) {
  const b = el('button', { type: 'button', class: 'copy', 'aria-label': label ?? 'Copy', text: 'Copy' });
  b.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(text); b.textContent = 'Copied'; } catch { b.textContent = 'Select and copy'; }
    setTimeout(() => { b.textContent = 'Copy'; }, 2000);
  });
  return b;
}

function stat(label, value, id) { return el('div', { class: 'stat' }, el('span', { class: 'label', text: label }), el('strong', { id, text: value })); }

const pages = {
  async overview() {
    const [accounts, cluster, config, activity] = await Promise.all([api('GET', '/accounts'), api('GET', '/cluster'), api('GET', '/config'), api('GET', '/activity')]);
    const live = activity.ok ? activity.body : {};
    // The fleet's numbers come with each serving replica listed; alone, or while Redis is away, this replica's.
    const fleetNow = Array.isArray(live.instances);
    const serving = Object.fromEntries((live.instances ?? []).map((i) => [i.instance, i]));
    const accs = Array.isArray(accounts.body) ? accounts.body : [];
    // The gateway's per-minute tally: every request of the last hour and day (the fleet's in a cluster).
    const none = { requests: 0, errors: 0, tokens: 0, failovers: 0 };
    const h = live.last_hour ?? none, d = live.last_day ?? none;
    const c = cluster.ok ? cluster.body : null;
    const states = accs.reduce((m, a) => ({ ...m, [a.state]: (m[a.state] ?? 0) + 1 }), {});
    const inFlight = accs.reduce((s, a) => s + (a.in_flight ?? 0), 0);
    return [el('h1', { text: 'Overview' }),
      el('p', { class: 'muted', text: `Updated ${new Date().toLocaleTimeString()}; refreshes every 5 seconds. Each replica counts in memory: a restart starts its count again.` }),
      el('section', { 'aria-labelledby': 'h-hour' }, el('h2', { id: 'h-hour', text: 'Last hour' }), el('div', { class: 'stats' },
        stat('Requests', num(h.requests), 'hour-requests'), stat('Errors', num(h.errors), 'hour-errors'), stat('Tokens', num(h.tokens)), stat('Failovers', num(h.failovers)))),
      el('section', { 'aria-labelledby': 'h-day' }, el('h2', { id: 'h-day', text: 'Last day' }), el('div', { class: 'stats' },
        stat('Requests', num(d.requests), 'day-requests'), stat('Errors', num(d.errors)), stat('Tokens', num(d.tokens)), stat('Failovers', num(d.failovers)))),
      el('section', { 'aria-labelledby': 'h-now' }, el('h2', { id: 'h-now', text: 'Now' }), el('div', { class: 'stats' },
        stat('Active streams', num(live.active_streams), 'active-streams'), stat('Requests in flight', num(live.requests_in_flight ?? inFlight), 'in-flight'), ...Object.entries(states).map(([s, n]) => stat(`Accounts ${s}`, num(n))))),
      accs.length ? '' : el('p', { class: 'empty', text: 'No accounts yet: open Accounts to add one, or list api-keys under a provider on the Config page.' }),
      el('h2', { text: 'Config' }),
      el('p', { id: 'config-state', text: `Revision ${config.body?.revision ?? '?'} of ${config.body?.path ?? 'the config'}` + (config.body?.last_reload_error ? ` — last reload failed: ${config.body.last_reload_error}` : ' — in effect') }),
      el('h2', { text: 'Instances' }),
      c?.enabled ? el('p', { id: 'cluster-state', class: c.connected ? '' : 'error', text: `Cluster ${c.namespace ?? ''} on Redis ${c.redis ?? ''}: ${c.connected ? 'connected' : `unreachable (${num(c.redis_failures)} failures); serving on local state`}. ${fleetNow ? 'The numbers above are the whole fleet\'s (its live replicas).' : 'The numbers above are this instance\'s.'}` }) : '',
      !c ? el('p', { class: 'muted', text: 'Instance list unavailable.' })
        : table(c.instances || [], [['Instance', (i) => i.name + (i.id === c.self ? ' (this one)' : '')], ['Id', (i) => i.id], ['Version', (i) => i.version], ['Config', (i) => i.config_hash], ['Started', (i) => when(i.started)], ['Heartbeat', (i) => when(i.last_heartbeat)], ['Stale', (i) => (i.stale ? 'yes' : 'no')],
          ...(fleetNow ? [['Streams now', (i) => num(serving[i.id]?.active_streams ?? 0)], ['In flight', (i) => num(serving[i.id]?.requests_in_flight ?? 0)],
            ['Requests 1h / 1d', (i) => `${num(serving[i.id]?.last_hour?.requests ?? 0)} / ${num(serving[i.id]?.last_day?.requests ?? 0)}`]] : [])],
          'No instances yet.', { id: 'instances', caption: 'Instances' }),
      c && !c.enabled ? el('p', { class: 'muted', text: 'Cluster mode is off: this is the only instance. Set cluster.redis in the config to run replicas.' }) : ''];
  },

  async accounts() {
    const { body } = await api('GET', '/accounts');
    const rows = Array.isArray(body) ? body : [];
    const act = (a, verb) => el('button', {
      type: 'button', text: verb[0].toUpperCase() + verb.slice(1), 'aria-label': `${verb} ${a.login_id}`,
      onclick: async () => {
        if (verb === 'remove' && !confirm(`Remove ${a.login_id}? Its file is deleted.`)) return;
        const r = await api(verb === 'remove' ? 'DELETE' : 'POST', `/accounts/${encodeURIComponent(a.login_id)}` + (verb === 'remove' ? '' : '/' + verb));
        if (!r.ok) alert(problem(r));
        route();
      },
    });
    const quota = (a) => (a.quota || []).length ? el('ul', { class: 'plain' }, a.quota.map((q) => el('li', {},
      el('label', {}, `${q.window}${q.models?.length ? ` (${q.models.join(', ')})` : ''}: ${Math.round(q.used * 100)}% used `,
        el('progress', { max: '1', value: String(q.used) })), q.resets_at ? el('span', { class: 'muted' }, ' resets ', timeCell(q.resets_at)) : ''))) : '';
    const cooldown = (a) => el('div', {}, a.cooldown_until ? el('div', {}, 'account: ', timeCell(a.cooldown_until)) : '',
      ...Object.entries(a.model_cooldowns || {}).map(([m, t]) => el('div', {}, `${m}: `, timeCell(t))));
    const list = table(rows, [
      ['Account', (a) => a.id], ['Provider', (a) => a.provider ?? `(${a.type}: serves nowhere)`],
      ['State', (a) => el('span', {}, el('span', { class: `state state-${a.state}`, text: a.state }),
        ...Object.keys(a.model_cooldowns || {}).map((m) => el('div', { class: 'state state-coolingdown', text: `${m}: cooling down` })))],
      // In a cluster, the fleet's load (every replica's), which is what a provider's limits count.
      ['Cooldown until', cooldown], ['Quota', quota], ['In flight', (a) => (a.fleet ? `${num(a.fleet.in_flight)} (fleet)` : a.in_flight)],
      ['Requests 1h / 1d', (a) => (a.fleet ? `${num(a.fleet.requests_last_hour)} / ${num(a.fleet.requests_last_day)} (fleet)` : `${num(a.requests_last_hour)} / ${num(a.requests_last_day)}`)],
      ['Token expiry', (a) => (a.expires_at ? timeCell(a.expires_at) : '')],
      ['Last error', (a) => a.last_error],
      ['Actions', (a) => (a.login_id ? el('span', { class: 'actions' }, a.state === 'disabled' ? act(a, 'enable') : act(a, 'disable'), act(a, 'remove')) : el('span', { class: 'muted', text: 'key in the config' }))],
    ], 'No accounts: add one below with a login or an account file, or list api-keys under a provider on the Config page.',
    { id: 'accounts', caption: 'Accounts', rowAttrs: (a) => ({ 'data-account': a.id }) });
    timer = setInterval(() => { for (const t of main.querySelectorAll('time')) t.textContent = `${when(t.getAttribute('datetime'))} (${countdown(t.getAttribute('datetime'))})`; }, 1000);
    return [el('h1', { text: 'Accounts' }), list, addAccount()];
  },

  async requests() {
    const { body } = await api('GET', '/requests?limit=500');
    const rows = Array.isArray(body) ? body : [];
    const values = (k) => [...new Set(rows.map((r) => r[k]).filter((v) => v !== null && v !== undefined))].sort();
    // Instances only in a cluster, where each record names the replica that served it.
    const fleet = rows.some((r) => r.instance);
    const filters = { model: 'Model', provider: 'Provider', status: 'Status', client_key: 'Client key', client: 'Client program', ...(fleet ? { instance: 'Instance' } : {}) };
    const selects = Object.entries(filters).map(([k, label]) => {
      const s = el('select', { id: `f-${k}`, name: k }, el('option', { value: '', text: 'any' }), values(k).map((v) => el('option', { value: String(v), text: String(v) })));
      return [el('label', { for: `f-${k}`, text: label }), s];
    });
    const holder = el('div');
    const detail = el('section', { id: 'detail', 'aria-live': 'polite' });
    const draw = () => {
      const chosen = Object.keys(filters).map((k) => [k, document.getElementById(`f-${k}`)?.value ?? '']).filter(([, v]) => v);
      const shown = rows.map((r, i) => ({ ...r, index: i })).filter((r) => chosen.every(([k, v]) => String(r[k]) === v));
      holder.replaceChildren(table(shown, [
        ['Time', (r) => when(r.time)], ['Model', (r) => r.model], ['Provider', (r) => r.provider], ['Account', (r) => r.account],
        ['Status', (r) => el('span', { class: r.status >= 400 ? 'error' : '', text: String(r.status) })], ['Attempts', (r) => r.attempts],
        ['Latency', (r) => `${Math.round(r.latency_ms)} ms`], ['Tokens in/out', (r) => `${num(r.input_tokens)} / ${num(r.output_tokens)}`], ['Client key', (r) => r.client_key], ['Client', (r) => r.client],
        ...(fleet ? [['Instance', (r) => r.instance]] : []),
        ['', (r) => el('button', { type: 'button', class: 'link', text: 'Details', 'aria-label': `Details of the ${r.model} request at ${when(r.time)}`, onclick: () => showRequest(detail, r) })],
      ], rows.length ? 'No request matches these filters.' : 'No requests yet: point a client at this gateway (see Connect) and send one.', { id: 'requests', caption: 'Recent requests' }));
    };
    const bar = el('form', { class: 'filters', role: 'search', 'aria-label': 'Filter requests', onsubmit: (e) => e.preventDefault() }, selects.flat());
    bar.addEventListener('change', draw);
    setTimeout(draw);
    return [el('h1', { text: 'Requests' }), bar, holder, detail];
  },

  async models() {
    const { body } = await api('GET', '/models');
    const rows = Array.isArray(body) ? body : [];
    return [el('h1', { text: 'Models' }), el('p', { class: 'muted', text: 'What a client can ask for, and the providers that serve it in failover order (as llm-mux models prints it).' }),
      table(rows, [['Model', (m) => m.model], ['Providers, in order', (m) => m.chain.map((t) => `${t.provider} (${t.upstream_model})`).join(' → ')]],
        'No models: add models: to a provider, or routing rules, on the Config page.', { id: 'models', caption: 'Models' })];
  },

  usage: () => usagePage({ api, el, table, num }),

  async config() {
    const { body } = await api('GET', '/config');
    const original = body?.yaml ?? '';
    const area = el('textarea', { id: 'yaml', spellcheck: 'false', 'aria-describedby': 'config-help' }); area.value = original;
    const out = el('div', { id: 'result', role: 'status', 'aria-live': 'polite' });
    const diff = el('pre', { id: 'diff', class: 'diff', hidden: true });
    const show = (r, applied) => {
      if (r.ok) { out.replaceChildren(el('p', { class: 'ok', text: applied ? `Applied: revision ${r.body?.revision ?? ''} is in effect.` : 'Valid: nothing is wrong with it.' })); return; }
      const errors = r.body?.errors || [problem(r)];
      out.replaceChildren(el('p', { class: 'error', text: applied ? 'Not applied:' : 'Not valid:' }), el('ul', { class: 'error' }, errors.map((e) => {
        const line = /line (\d+)/i.exec(e)?.[1];
        return el('li', {}, line ? el('button', { type: 'button', class: 'link', text: `line ${line}`, onclick: () => goToLine(area, +line) }) : '', line ? ': ' : '', e);
      })));
    };
    const showDiff = () => { diff.hidden = false; diff.textContent = lineDiff(original, area.value) || 'No changes.'; };
    return [el('h1', { text: 'Config' }),
      el('p', { id: 'config-help', class: 'muted', text: `${body?.path ?? ''} — secrets are shown as <redacted:…> markers; leave them as they are to keep the secret.` }),
      el('label', { for: 'yaml', text: 'Config YAML' }), area,
      el('div', { class: 'actions' },
        el('button', { type: 'button', id: 'validate', text: 'Validate', onclick: async () => show(await api('POST', '/config/validate', area.value, 'text/plain'), false) }),
        el('button', { type: 'button', id: 'show-diff', text: 'Show diff', onclick: showDiff }),
        el('button', { type: 'button', id: 'apply', text: 'Apply', onclick: async () => { const r = await api('PUT', '/config', area.value, 'text/plain'); show(r, true); } })),
      out, diff];
  },

  async connect() {
    // The same content `llm-mux connect <client>` prints (GET /connect/{client}), filled in with the address this
    // browser used; the client key stays a placeholder: the API never hands one out.
    const [clients, models] = await Promise.all([api('GET', '/connect'), api('GET', '/models')]);
    const names = Array.isArray(clients.body) ? clients.body : [];
    const model = el('input', { id: 'connect-model', list: 'connect-models', placeholder: 'optional', 'aria-describedby': 'connect-help' });
    const choices = el('datalist', { id: 'connect-models' }, (Array.isArray(models.body) ? models.body : []).map((m) => el('option', { value: m.model })));
    const holder = el('div', { id: 'setups' });
    const draw = async () => {
      const q = model.value.trim() ? `?model=${encodeURIComponent(model.value.trim())}` : '';
      const setups = await Promise.all(names.map((c) => api('GET', `/connect/${encodeURIComponent(c)}${q}`)));
      holder.replaceChildren(...setups.filter((r) => r.ok).map((r) => setupSection(r.body)));
    };
    await draw();
    return [el('h1', { text: 'Connect' }),
      el('p', { id: 'connect-help', class: 'muted', text: 'Copy-ready set-up for common clients, filled in with this gateway\'s address: what llm-mux connect <client> prints (llm-mux connect <client> --write merges the files for you). Replace YOUR_LLM_MUX_KEY with one of the api-keys of the config (the dashboard never shows them).' }),
      el('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); draw(); } }, el('label', { for: 'connect-model', text: 'Model to use (optional)' }), model, choices, el('button', { type: 'submit', text: 'Fill in' })),
      names.length ? holder : el('p', { class: 'empty', text: 'No client set-ups are available from this gateway.' })];
  },
};

function showRequest(holder, r) {
  const chain = r.chain || [];
  holder.replaceChildren(el('h2', { id: 'detail-title', tabindex: '-1', text: `Request ${r.model} at ${when(r.time)}` }),
    el('dl', { class: 'facts' }, [['Dialects (client → upstream)', [r.dialect, ...new Set(chain.map((s) => s.dialect).filter(Boolean))].join(' → ')], ['Model', r.model], ['Provider', r.provider], ['Account', r.account], ['Status', r.status], ['Attempts', r.attempts],
      ['Latency', `${Math.round(r.latency_ms)} ms`], ['Time to first byte (first token of a stream)', r.first_byte_ms == null ? null : `${Math.round(r.first_byte_ms)} ms`], ['Tokens in / out', `${num(r.input_tokens)} / ${num(r.output_tokens)}${r.usage_estimated ? ' (estimated)' : ''}`], ['Client key', r.client_key], ['Client', r.client], ['Instance', r.instance], ['Session', r.session]]
      .filter(([, v]) => v !== null && v !== undefined && v !== '').flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: String(v) })])),
    el('h3', { text: 'Attempts (failover chain)' }),
    table(chain, [['#', (_, i) => ''], ['Provider', (s) => s.provider], ['Upstream model', (s) => s.model], ['Sent as', (s) => s.dialect ?? ''], ['Account', (s) => s.account ?? '(none free)'],
      ['Status', (s) => (s.status ? String(s.status) : 'no answer')], ['Outcome', (s) => s.outcome], ['Reason', (s) => s.reason ?? ''], ['Time', (s) => `${Math.round(s.latency_ms)} ms`]],
    'No upstream attempt was made (answered by llm-mux itself).', { id: 'chain', caption: 'Attempts' }));
  holder.querySelectorAll('#chain tbody tr').forEach((tr, i) => { tr.firstChild.textContent = String(i + 1); });
  holder.querySelector('#detail-title').focus();
}

/** A shell word as `llm-mux connect` quotes it. */
const shellQuote = (v) => (/^[A-Za-z0-9_.\/:=@+,-]*$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`);

function codeBlock(text, label) {
  return el('div', { class: 'code' }, el('pre', {}, el('code', { text })), copyButton(text, label));
}

function setupSection(s) {
  const env = (s.environment || []).map((v) => `export ${v.name}=${shellQuote(v.value)}`).join('\n');
  return el('section', { class: 'snippet', 'aria-labelledby': `c-${s.client}`, 'data-client': s.client },
    el('h2', { id: `c-${s.client}`, text: s.title }),
    env ? [el('h3', { text: 'Environment' }), codeBlock(env, `Copy the ${s.title} environment`)] : '',
    (s.files || []).map((f) => [el('h3', {}, 'Merge into ', el('code', { text: f.path })), codeBlock(f.content.replace(/\n$/, ''), `Copy the ${s.title} ${f.path}`)]),
    (s.snippets || []).map((c) => [el('h3', { text: c.language }), codeBlock(c.code, `Copy the ${s.title} ${c.language} example`)]),
    (s.notes || []).length ? el('ul', { class: 'notes' }, s.notes.map((n) => el('li', { text: n }))) : '');
}

function goToLine(area, line) {
  const lines = area.value.split('\n');
  const startAt = lines.slice(0, line - 1).reduce((s, l) => s + l.length + 1, 0);
  area.focus(); area.setSelectionRange(startAt, startAt + (lines[line - 1]?.length ?? 0));
}

/** A small line diff (longest common subsequence): "- " removed, "+ " added, unchanged lines left out. */
function lineDiff(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  if (x.length * y.length > 4e6) return 'Too large to diff here.';
  const m = x.length, n = y.length, t = Array.from({ length: m + 1 }, () => new Uint32Array(n + 1));
  for (let i = m - 1; i >= 0; i--) for (let j = n - 1; j >= 0; j--) t[i][j] = x[i] === y[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  const out = []; let i = 0, j = 0;
  while (i < m || j < n) {
    if (i < m && j < n && x[i] === y[j]) { i++; j++; } else if (j < n && (i === m || t[i][j + 1] >= t[i + 1][j])) out.push(`+ ${j + 1}: ${y[j++]}`); else out.push(`- ${i + 1}: ${x[i++]}`);
  }
  return out.join('\n');
}

const LOGIN_TYPES = [['claude', 'Claude (browser sign-in)'], ['codex', 'Codex / ChatGPT (browser sign-in)'], ['gemini', 'Gemini (browser sign-in)'], ['copilot', 'GitHub Copilot (device code)'], ['antigravity', 'Antigravity (browser sign-in)']];

function addAccount() {
  const provider = el('select', { id: 'login-provider' }, LOGIN_TYPES.map(([v, t]) => el('option', { value: v, text: t })));
  const name = el('input', { id: 'login-name', placeholder: 'optional' });
  const status = el('div', { id: 'login-status', role: 'status', 'aria-live': 'polite' });
  const startLogin = async (e) => {
    e.preventDefault();
    const r = await api('POST', '/logins', JSON.stringify({ provider: provider.value, ...(name.value ? { name: name.value } : {}) }));
    if (!r.ok) { status.replaceChildren(el('p', { class: 'error', text: problem(r) })); return; }
    await followLogin(status, r.body);
  };
  const file = el('input', { id: 'account-file', type: 'file', accept: '.json,application/json' });
  const uploaded = el('div', { id: 'upload-status', role: 'status', 'aria-live': 'polite' });
  const upload = async (e) => {
    e.preventDefault();
    const f = file.files?.[0];
    if (!f) { uploaded.replaceChildren(el('p', { class: 'error', text: 'Choose an account file first.' })); return; }
    const r = await api('POST', '/accounts', await f.text());
    uploaded.replaceChildren(el('p', { class: r.ok ? 'ok' : 'error', text: r.ok ? `Added ${r.body.id}.` : problem(r) }));
    if (r.ok) setTimeout(route, 800);
  };
  return el('section', { 'aria-labelledby': 'h-add' }, el('h2', { id: 'h-add', text: 'Add an account' }),
    el('form', { id: 'login-form', onsubmit: startLogin }, el('label', { for: 'login-provider', text: 'Provider' }), provider,
      el('label', { for: 'login-name', text: 'Name' }), name, el('button', { type: 'submit', id: 'start-login', text: 'Start login' })),
    el('p', { class: 'muted', text: 'The sign-in runs on this gateway: open the link it shows (or enter the device code) in any browser.' }),
    status,
    el('form', { id: 'upload-form', onsubmit: upload }, el('label', { for: 'account-file', text: 'Or upload an account file' }), file, el('button', { type: 'submit', text: 'Upload' })),
    uploaded);
}

async function followLogin(status, job) {
  const info = el('div');
  // Made once and kept across the polls, so what the user is typing into it survives them.
  let paste = null;
  const pasteForm = () => {
    const url = el('input', { id: 'callback-url', type: 'text', required: true, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'callback-help' });
    const said = el('p', { id: 'callback-status', role: 'status', 'aria-live': 'polite' });
    return el('form', { id: 'callback-form', class: 'stacked', onsubmit: async (e) => {
      e.preventDefault();
      const r = await api('POST', `/logins/${encodeURIComponent(job.id)}/callback`, JSON.stringify({ url: url.value }));
      said.replaceChildren(r.ok ? 'Sent; finishing the login…' : el('span', { class: 'error', text: problem(r) }));
    } },
    el('label', { for: 'callback-url', text: 'Paste the address the browser ended on' }),
    el('p', { id: 'callback-help', class: 'muted', text: 'Signing in on another machine? The browser then ends on an error page (it cannot reach this gateway\'s callback): copy the whole address from its address bar and paste it here (or the code the provider\'s page shows).' }),
    el('span', { class: 'actions' }, url, el('button', { type: 'submit', text: 'Finish login' })), said);
  };
  const render = (j) => {
    const text = j.instructions ?? '';
    // The links to open; not the callback address the login listens on, which is for the provider to redirect to.
    const links = text.split('\n').filter((l) => !l.startsWith('Waiting for the redirect')).join('\n');
    const urls = [...new Set(links.match(/https?:\/\/[^\s"'<>]+/g) ?? [])];
    const code = /^\s{2}([A-Z0-9]{4,}-[A-Z0-9]{4,})\s*$/m.exec(text)?.[1];
    info.replaceChildren(
      el('p', { id: 'login-state', class: j.state === 'failed' ? 'error' : '', text: j.state === 'pending' ? `Waiting for the ${j.provider} sign-in…` : j.state === 'done' ? `Account ${j.account_id} is ready.` : `Login failed: ${j.error ?? ''}` }),
      code ? el('p', {}, 'Device code: ', el('code', { id: 'device-code', text: code }), ' ', copyButton(code, 'Copy the device code')) : '',
      ...urls.map((u) => el('p', {}, el('a', { href: u, target: '_blank', rel: 'noopener noreferrer', text: u.length > 90 ? u.slice(0, 90) + '…' : u }), ' ', copyButton(u, 'Copy the sign-in link'))),
      j.state === 'pending' && !code ? el('p', { class: 'muted', text: 'After signing in, the provider redirects to this gateway\'s callback; the login then completes here.' }) : '');
    if (j.state === 'pending' && j.accepts_paste && !paste) { paste = pasteForm(); status.append(paste); }
    if (j.state !== 'pending' && paste) { paste.remove(); paste = null; }
  };
  status.replaceChildren(info);
  render(job);
  while (job.state === 'pending' && document.body.contains(status)) {
    await new Promise((ok) => setTimeout(ok, 1000));
    const r = await api('GET', `/logins/${encodeURIComponent(job.id)}`);
    if (!r.ok) { info.replaceChildren(el('p', { class: 'error', text: problem(r) })); return; }
    job = r.body; render(job);
  }
  if (job.state === 'done') setTimeout(route, 1500);
}

async function route() {
  clearInterval(timer); timer = null;
  const name = location.hash.replace('#/', '') || 'overview';
  const page = pages[name] ?? pages.overview;
  for (const a of document.querySelectorAll('nav a')) a.toggleAttribute('aria-current', a.getAttribute('href') === '#/' + name);
  for (const a of document.querySelectorAll('nav a[aria-current]')) a.setAttribute('aria-current', 'page');
  try {
    main.replaceChildren(...(await page()));
    document.title = `${name[0].toUpperCase() + name.slice(1)} — llm-mux`;
    if (name === 'overview') timer = setInterval(async () => { if (location.hash.replace('#/', '') || 'overview') { try { main.replaceChildren(...(await pages.overview())); } catch { /* next tick */ } } }, 5000);
  } catch (e) { if (e.message !== 'signed out') main.replaceChildren(el('p', { class: 'error', text: e.message })); }
}

function signIn(message) {
  document.getElementById('nav').hidden = true;
  const input = el('input', { id: 'secret', type: 'password', autocomplete: 'current-password', required: true });
  const form = el('form', { class: 'signin' }, el('h1', { text: 'Sign in' }),
    el('p', { class: 'muted', text: 'Sign in with the management secret of this gateway (management.secret-key; llm-mux init printed it).' }),
    el('label', { for: 'secret', text: 'Management secret' }), input, el('button', { type: 'submit', text: 'Sign in' }),
    el('p', { id: 'signin-error', class: 'error', role: 'alert', text: message ?? '' }));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const r = await fetch('/dashboard/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ secret: input.value }) });
    const b = await r.json().catch(() => ({}));
    if (r.ok) { csrf = b.csrf; shell(); } else signIn(b.detail || b.title || b.error?.message || `refused (${r.status})`);
  };
  main.replaceChildren(form); input.focus();
}

function shell() { document.getElementById('nav').hidden = false; route(); }

async function start() {
  clearInterval(timer); timer = null;
  const r = await fetch('/dashboard/session');
  const b = await r.json().catch(() => ({}));
  if (!r.ok) { main.replaceChildren(el('p', { class: 'error', text: b.detail || `refused (${r.status})` })); return; }
  if (!b.configured) {
    document.getElementById('nav').hidden = true;
    main.replaceChildren(el('h1', { text: 'No management secret' }),
      el('p', { text: 'The dashboard signs in with the management secret, and this gateway has none. Run this, then reload the page:' }),
      el('div', { class: 'code' }, el('pre', {}, el('code', { text: 'llm-mux init' })), copyButton('llm-mux init')),
      el('p', { class: 'muted', text: 'Or set management.secret-key in the config yourself: it is hashed on the first start.' }));
    return;
  }
  if (b.signed_in) { csrf = b.csrf; shell(); } else signIn();
}

document.getElementById('signout').onclick = async () => { await fetch('/dashboard/session', { method: 'DELETE', headers: { 'X-LlmMux-Csrf': csrf ?? '' } }); csrf = null; start(); };
addEventListener('hashchange', route);
start();
