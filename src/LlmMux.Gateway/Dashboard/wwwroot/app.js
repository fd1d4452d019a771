// The llm-mux dashboard: plain ES module, hash routing, reads the management API with the cookie session.
const main = document.getElementById('main');
let csrf = null;

const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === 'text' ? (e.textContent = v) : e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
};
const when = (t) => (t ? new Date(t).toLocaleString() : '');

async function api(method, path, body, type = 'application/json') {
  const headers = {};
  if (method !== 'GET') headers['X-LlmMux-Csrf'] = csrf ?? '';
  if (body !== undefined) headers['Content-Type'] = type;
  const r = await fetch('/v0/management' + path, { method, headers, body, credentials: 'same-origin' });
  if (r.status === 401) { await start(); throw new Error('signed out'); }
  const text = await r.text();
  return { status: r.status, body: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

function table(rows, cols, empty) {
  if (!rows.length) return el('p', { class: 'muted', text: empty });
  const t = el('table');
  t.append(el('thead', {}, el('tr', {}, ...cols.map(([h]) => el('th', { scope: 'col', text: h })))));
  const b = el('tbody');
  for (const r of rows) b.append(el('tr', {}, ...cols.map(([, f]) => { const v = f(r); return el('td', {}, v instanceof Node ? v : String(v ?? '')); })));
  t.append(b);
  return t;
}

const pages = {
  async overview() {
    const [reqs, cluster, config] = await Promise.all([api('GET', '/requests?limit=500'), api('GET', '/cluster'), api('GET', '/config')]);
    const rows = Array.isArray(reqs.body) ? reqs.body : [];
    const errors = rows.filter((r) => (r.status ?? 0) >= 400).length;
    const c = cluster.body || {};
    return [el('h1', { text: 'Overview' }),
      el('p', { id: 'totals', text: `${rows.length} recent requests, ${errors} errors` }),
      el('p', { text: `Config revision ${config.body?.revision ?? '?'}` + (config.body?.last_error ? ` — last reload error: ${config.body.last_error}` : '') }),
      el('h2', { text: 'Instances' }),
      c.enabled ? table(c.instances || [], [['Name', (i) => i.name], ['Version', (i) => i.version], ['Config', (i) => i.config_hash], ['Heartbeat', (i) => when(i.last_heartbeat)], ['Stale', (i) => (i.stale ? 'yes' : 'no')]], 'No instances yet.')
        : el('p', { class: 'muted', text: 'One instance (cluster mode is off).' })];
  },
  async accounts() {
    const { body } = await api('GET', '/accounts');
    const act = (a, verb) => { const b = el('button', { type: 'button', text: verb }); b.onclick = async () => {
      if (verb === 'remove' && !confirm(`Remove ${a.id}?`)) return;
      await api(verb === 'remove' ? 'DELETE' : 'POST', `/accounts/${encodeURIComponent(a.id)}` + (verb === 'remove' ? '' : '/' + verb)); route(); }; return b; };
    return [el('h1', { text: 'Accounts' }), table(body || [], [
      ['Account', (a) => a.id], ['Provider', (a) => a.provider ?? a.type], ['State', (a) => a.state],
      ['Cooldown until', (a) => [when(a.cooldown_until), ...Object.entries(a.model_cooldowns || {}).map(([m, t]) => `${m}: ${when(t)}`)].filter(Boolean).join('; ')],
      ['Quota', (a) => (a.quota || []).map((q) => JSON.stringify(q)).join(' ')],
      ['In flight', (a) => a.in_flight], ['Last error', (a) => a.last_error],
      ['Actions', (a) => el('span', {}, act(a, 'enable'), act(a, 'disable'), act(a, 'remove'))],
    ], 'No accounts: add one with llm-mux login, or list api-keys under a provider in the config.')];
  },
  async requests() {
    const { body } = await api('GET', '/requests?limit=500');
    const rows = Array.isArray(body) ? body : [];
    const f = el('input', { id: 'filter', 'aria-label': 'Filter by model, provider or status', placeholder: 'filter: model, provider or status' });
    const holder = el('div');
    const draw = () => { const q = f.value.toLowerCase(); holder.replaceChildren(table(rows.filter((r) => !q || JSON.stringify(r).toLowerCase().includes(q)),
      Object.keys(rows[0] || { time: 0 }).slice(0, 10).map((k) => [k, (r) => (typeof r[k] === 'object' ? JSON.stringify(r[k]) : r[k])]), 'No requests yet: send one to /v1/chat/completions.')); };
    f.oninput = draw; draw();
    return [el('h1', { text: 'Requests' }), f, holder];
  },
  async config() {
    const { body } = await api('GET', '/config');
    const area = el('textarea', { id: 'yaml', 'aria-label': 'Config YAML' }); area.value = body?.yaml ?? '';
    const out = el('div', { id: 'result', role: 'status' });
    const show = (r, ok) => out.replaceChildren(r.body?.valid || (ok && r.status < 300) ? el('p', { text: ok ? 'Applied.' : 'Valid.' })
      : el('ul', { class: 'error' }, ...((r.body?.errors) || [r.body?.detail || r.body?.title || String(r.status)]).map((e) => el('li', { text: e }))));
    const v = el('button', { type: 'button', id: 'validate', text: 'Validate' }); v.onclick = async () => show(await api('POST', '/config/validate', area.value, 'text/plain'), false);
    const a = el('button', { type: 'button', id: 'apply', text: 'Apply' }); a.onclick = async () => show(await api('PUT', '/config', area.value, 'text/plain'), true);
    return [el('h1', { text: 'Config' }), el('p', { class: 'muted', text: body?.path ?? '' }), area, v, a, out];
  },
};

async function route() {
  const name = (location.hash.replace('#/', '') || 'overview');
  const page = pages[name] ?? pages.overview;
  for (const a of document.querySelectorAll('nav a')) a.toggleAttribute('aria-current', a.getAttribute('href') === '#/' + name);
  try { main.replaceChildren(...(await page())); } catch (e) { if (e.message !== 'signed out') main.replaceChildren(el('p', { class: 'error', text: e.message })); }
}

function signIn(message) {
  document.getElementById('nav').hidden = true;
  const input = el('input', { id: 'secret', type: 'password', autocomplete: 'current-password', required: '' });
  const form = el('form', {}, el('h1', { text: 'Sign in' }), el('label', { for: 'secret', text: 'Management secret ' }), input, el('button', { type: 'submit', text: 'Sign in' }),
    el('p', { id: 'signin-error', class: 'error', role: 'alert', text: message ?? '' }));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const r = await fetch('/dashboard/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ secret: input.value }) });
    const b = await r.json().catch(() => ({}));
    if (r.ok) { csrf = b.csrf; shell(); } else signIn(b.detail || b.title || `refused (${r.status})`);
  };
  main.replaceChildren(form); input.focus();
}

function shell() { document.getElementById('nav').hidden = false; route(); }

async function start() {
  const r = await fetch('/dashboard/session');
  const b = await r.json().catch(() => ({}));
  if (!r.ok) { main.replaceChildren(el('p', { class: 'error', text: b.detail || `refused (${r.status})` })); return; }
  if (!b.configured) {
    main.replaceChildren(el('h1', { text: 'No management secret' }), el('p', { text: 'The dashboard signs in with the management secret. Run "llm-mux init", or set management.secret-key in the config, then reload this page.' }));
    return;
  }
  if (b.signed_in) { csrf = b.csrf; shell(); } else signIn();
}

document.getElementById('signout').onclick = async () => { await fetch('/dashboard/session', { method: 'DELETE' }); csrf = null; start(); };
addEventListener('hashchange', route);
start();
