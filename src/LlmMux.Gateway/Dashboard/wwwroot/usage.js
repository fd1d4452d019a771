// The Usage page: the usage ledger (GET /usage) as charts by day, provider, account, model and client key, a table
// grouped by any of them, a CSV export, and an optional cost estimate at list prices the user enters. The prices stay
// in this browser (localStorage): they are the user's own figures, and the gateway never needs them.
import { barChart, columnChart } from './charts.js';

const PRICES = 'llm-mux-prices';
const DAYS = 31;
const TOP = 10;
const DIMENSIONS = [['day', 'Day'], ['provider', 'Provider'], ['account', 'Account'], ['model', 'Model'], ['client_key', 'Client key']];
const MEASURES = [['tokens', 'Tokens'], ['requests', 'Requests'], ['cost', 'Cost (estimate)']];

/** Prices per model, USD per 1M tokens: { "gpt-4.1": { input: 2, output: 8 } }; whatever is unreadable counts as none. */
function loadPrices() {
  try {
    const p = JSON.parse(localStorage.getItem(PRICES) ?? '{}');
    return p && typeof p === 'object' && !Array.isArray(p) ? p : {};
  } catch { return {}; }
}

function savePrices(prices) {
  try { localStorage.setItem(PRICES, JSON.stringify(prices)); } catch { /* storage off: the prices last as long as the page */ }
}

const rate = (v) => (v === '' || v === null || v === undefined || !Number.isFinite(Number(v)) || Number(v) < 0 ? null : Number(v));

/** A row's cost at the model's prices, or null when the model has none. */
function costOf(row, prices) {
  const p = prices[row.model];
  const input = rate(p?.input), output = rate(p?.output);
  if (input === null && output === null) return null;
  return (row.input_tokens / 1e6) * (input ?? 0) + (row.output_tokens / 1e6) * (output ?? 0);
}

// Cents, or two significant digits below a cent, so a small estimate never reads as $0.00.
const usd = (n) => n.toLocaleString(undefined, { style: 'currency', currency: 'USD', ...(n !== 0 && Math.abs(n) < 0.01 ? { maximumSignificantDigits: 2 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 }) });
const nameOf = (r, k) => r[k] ?? (k === 'client_key' ? '(no client key)' : '(none)');

function group(rows, k, prices) {
  const groups = new Map();
  for (const r of rows) {
    const key = nameOf(r, k);
    const g = groups.get(key) ?? { key, requests: 0, input_tokens: 0, output_tokens: 0, cost: 0, priced: false, unpriced: false };
    g.requests += r.requests; g.input_tokens += r.input_tokens; g.output_tokens += r.output_tokens;
    const c = costOf(r, prices);
    if (c === null) g.unpriced ||= r.input_tokens + r.output_tokens > 0; else { g.cost += c; g.priced = true; }
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** The UTC days from the first with usage (at most DAYS back) to today, those without usage as zero. */
function days(rows, prices) {
  const byDay = new Map(group(rows, 'day', prices).map((g) => [g.key, g]));
  const today = new Date().toISOString().slice(0, 10);
  const last = [...byDay.keys(), today].sort().at(-1);
  const end = Date.parse(last + 'T00:00:00Z');
  const first = Math.max(Date.parse([...byDay.keys()].sort()[0] + 'T00:00:00Z'), end - (DAYS - 1) * 864e5);
  const list = [];
  for (let t = first; t <= end; t += 864e5) {
    const day = new Date(t).toISOString().slice(0, 10);
    list.push(byDay.get(day) ?? { key: day, requests: 0, input_tokens: 0, output_tokens: 0, cost: 0 });
  }
  return { list, cut: byDay.size > 0 && [...byDay.keys()].some((d) => Date.parse(d + 'T00:00:00Z') < first) };
}

export async function usagePage({ api, el, table, num }) {
  const { body } = await api('GET', '/usage');
  const rows = Array.isArray(body) ? body : [];
  let prices = loadPrices();
  const priced = () => rows.some((r) => costOf(r, prices) !== null);

  const by = el('select', { id: 'group-by' }, DIMENSIONS.map(([k, t]) => el('option', { value: k, text: t })));
  const measure = el('select', { id: 'measure' }, MEASURES.map(([k, t]) => el('option', { value: k, text: t })));
  const charts = el('div', { class: 'charts', id: 'charts' });
  const holder = el('div');
  const value = (g, m) => (m === 'requests' ? g.requests : m === 'cost' ? g.cost : g.input_tokens + g.output_tokens);
  const text = (g, m) => (m === 'requests' ? `${num(g.requests)} requests` : m === 'cost' ? usd(g.cost) : `${num(g.input_tokens + g.output_tokens)} tokens`);

  const figure = (id, title, chart, ...more) => el('figure', { id, class: 'chart' }, el('figcaption', { text: title }), chart, ...more);
  const drawCharts = () => {
    measure.querySelector('option[value="cost"]').disabled = !priced();
    if (measure.value === 'cost' && !priced()) measure.value = 'tokens';
    const m = measure.value, what = MEASURES.find(([k]) => k === m)[1];
    const { list, cut } = days(rows, prices);
    const dayTitle = `${what} by day (UTC)`;
    const parts = [figure('chart-day', dayTitle, columnChart({ title: dayTitle, items: list.map((g) => ({ label: g.key, short: g.key.slice(5), value: value(g, m), text: text(g, m) })) }),
      cut ? el('p', { class: 'muted', text: `The last ${DAYS} days; the table has every day.` }) : '')];
    for (const [k, label] of DIMENSIONS.slice(1)) {
      const all = group(rows, k, prices).sort((a, b) => value(b, m) - value(a, m) || String(a.key).localeCompare(b.key));
      const title = `${what} by ${label.toLowerCase()}`;
      parts.push(figure(`chart-${k}`, title, barChart({ title, items: all.slice(0, TOP).map((g) => ({ label: String(g.key), value: value(g, m), text: text(g, m) })) }),
        all.length > TOP ? el('p', { class: 'muted', text: `The top ${TOP} of ${all.length}; the table has them all.` }) : '',
        el('button', { type: 'button', class: 'link', text: 'Show in the table', 'aria-label': `Show usage by ${label.toLowerCase()} in the table`, onclick: () => { by.value = k; drawTable(); holder.querySelector('table')?.scrollIntoView(); } })));
    }
    charts.replaceChildren(...parts);
  };

  const drawTable = () => {
    const k = by.value, label = DIMENSIONS.find(([d]) => d === k)[1];
    const list = group(rows, k, prices).sort((a, b) => (k === 'day' ? String(b.key).localeCompare(a.key) : b.input_tokens + b.output_tokens - a.input_tokens - a.output_tokens));
    const withCost = priced();
    const cost = (g) => (!g.priced ? '—' : usd(g.cost) + (g.unpriced ? ' (some models unpriced)' : ''));
    const cols = [[label, (g) => g.key], ['Requests', (g) => num(g.requests)], ['Input tokens', (g) => num(g.input_tokens)], ['Output tokens', (g) => num(g.output_tokens)],
      ...(withCost ? [['Cost (estimate)', cost]] : [])];
    const shown = table(list, cols, 'No usage yet: it is counted as requests are answered.', { id: 'usage', caption: `Usage by ${label.toLowerCase()}` });
    const t = shown.querySelector?.('table');
    if (t) {
      const total = list.reduce((s, g) => ({ key: 'Total', requests: s.requests + g.requests, input_tokens: s.input_tokens + g.input_tokens, output_tokens: s.output_tokens + g.output_tokens,
        cost: s.cost + g.cost, priced: s.priced || g.priced, unpriced: s.unpriced || g.unpriced }), { requests: 0, input_tokens: 0, output_tokens: 0, cost: 0, priced: false, unpriced: false });
      t.append(el('tfoot', {}, el('tr', { id: 'usage-total' }, cols.map(([h, f], i) => (i === 0 ? el('th', { scope: 'row', text: 'Total' }) : el('td', { 'data-label': h, text: String(f(total)) }))))));
    }
    holder.replaceChildren(shown, withCost ? el('p', { class: 'muted', id: 'cost-note', text: 'Cost is an estimate at your list prices: each model\'s input and output tokens times the prices entered below. It knows nothing of cached-token or batch discounts, free tiers or subscriptions; a model without a price counts as nothing.' }) : '');
  };

  const draw = () => { drawCharts(); drawTable(); };
  by.addEventListener('change', drawTable);
  measure.addEventListener('change', drawCharts);

  const csv = () => {
    const head = ['day', 'provider', 'account', 'model', 'client_key', 'requests', 'input_tokens', 'output_tokens'];
    const withCost = priced();
    const q = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
    const line = (r) => [...head.map((h) => q(r[h] ?? '')), ...(withCost ? [costOf(r, prices)?.toFixed(6) ?? ''] : [])].join(',');
    const text = [[...head, ...(withCost ? ['cost_usd_estimate'] : [])].join(','), ...rows.map(line)].join('\n') + '\n';
    const a = el('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: 'llm-mux-usage.csv' });
    document.body.append(a); a.click(); a.remove();
  };

  const intro = [el('h1', { text: 'Usage' }), el('p', { class: 'muted', text: 'Requests and tokens answered, per day (UTC), provider, account, model and client key, from the usage ledger (in a cluster, the whole fleet\'s).' })];
  if (!rows.length) {
    drawTable();
    return [...intro, holder];
  }
  draw();
  return [...intro,
    el('div', { class: 'filters' }, el('label', { for: 'measure', text: 'Charts show' }), measure),
    charts,
    el('h2', { text: 'Table' }),
    el('div', { class: 'filters' }, el('label', { for: 'group-by', text: 'Group by' }), by, el('button', { type: 'button', id: 'csv', text: 'Export CSV', onclick: csv })),
    holder,
    pricesForm(rows, prices, el, (next) => { prices = next; savePrices(prices); draw(); })];
}

/** One line per model in the ledger: its input and output price in USD per 1M tokens, kept as typed. */
function pricesForm(rows, prices, el, changed) {
  const models = [...new Set(rows.map((r) => r.model))].sort();
  const field = (model, side) => el('input', {
    type: 'number', min: '0', step: 'any', inputmode: 'decimal', class: 'price', 'data-model': model, 'data-side': side,
    value: prices[model]?.[side] ?? '', 'aria-label': `${model} ${side} price, USD per 1M tokens`,
    oninput: (e) => {
      const next = { ...prices, [model]: { ...prices[model], [side]: e.target.value } };
      if (next[model].input === '' && next[model].output === '') delete next[model];
      prices = next; changed(next);
    },
  });
  const list = el('table', { id: 'prices' }, el('caption', { class: 'sr-only', text: 'List prices per model' }),
    el('thead', {}, el('tr', {}, ['Model', 'Input, USD per 1M tokens', 'Output, USD per 1M tokens'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, models.map((m) => el('tr', {}, el('td', { 'data-label': 'Model', text: m }), el('td', { 'data-label': 'Input / 1M' }, field(m, 'input')), el('td', { 'data-label': 'Output / 1M' }, field(m, 'output'))))));
  const clear = el('button', { type: 'button', id: 'clear-prices', text: 'Clear prices', onclick: () => {
    const next = { ...prices };
    for (const m of models) delete next[m];
    for (const input of list.querySelectorAll('input.price')) input.value = '';
    prices = next; changed(next);
  } });
  return el('section', { 'aria-labelledby': 'h-prices' }, el('h2', { id: 'h-prices', text: 'Cost at your list prices (optional)' }),
    el('p', { class: 'muted', text: 'Enter what each model costs you per million input and output tokens to see an estimated cost in the table and charts. The prices are kept in this browser only (never sent to the gateway).' }),
    el('div', { class: 'scroll' }, list), el('div', { class: 'actions' }, clear));
}
