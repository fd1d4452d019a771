// Bar charts as inline SVG, drawn here: no chart library, nothing fetched, nothing inline for the CSP to refuse (the
// colours come from style.css classes, so they follow the light and dark themes). Each chart is an image with a name
// that carries its numbers, for a screen reader; the page's table holds the same numbers.

const NS = 'http://www.w3.org/2000/svg';

const svg = (tag, attrs = {}, ...kids) => {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k);
  return e;
};

const spoken = (title, items) => `${title}: ${items.map((i) => `${i.label} ${i.text}`).join('; ')}`;

/**
 * Vertical bars, one per item in order (days, oldest first): each with its value on hover, and a label under every
 * few bars so they never overlap.
 * @param {{ title: string, items: { label: string, short?: string, value: number, text: string }[] }} chart
 */
export function columnChart({ title, items }) {
  const bar = 22, gap = 6, top = 18, height = 150, bottom = 22;
  const width = Math.max(320, items.length * (bar + gap) + gap);
  const max = Math.max(...items.map((i) => i.value), 0) || 1;
  const every = Math.ceil(items.length / Math.floor(width / 64));
  const root = svg('svg', { viewBox: `0 0 ${width} ${top + height + bottom}`, role: 'img', 'aria-label': spoken(title, items), class: 'chart-columns', width, preserveAspectRatio: 'xMinYMin meet' });
  root.append(svg('line', { x1: 0, y1: top + height + 0.5, x2: width, y2: top + height + 0.5, class: 'axis' }));
  items.forEach((item, n) => {
    const h = Math.round((item.value / max) * height), x = gap + n * (bar + gap);
    root.append(svg('g', { class: 'bar', 'data-key': item.label },
      svg('title', {}, `${item.label}: ${item.text}`),
      svg('rect', { x, y: top + height - h, width: bar, height: Math.max(h, item.value > 0 ? 1 : 0), rx: 2 }),
      n % every === 0 ? svg('text', { x: x + bar / 2, y: top + height + 15, 'text-anchor': 'middle', class: 'tick' }, item.short ?? item.label) : null));
  });
  root.append(svg('text', { x: gap, y: 12, class: 'tick' }, `max ${items.find((i) => i.value === max)?.text ?? ''}`));
  return root;
}

/**
 * Horizontal bars, largest first, each with its label and value above it: readable at a phone's width, long account
 * names included.
 * @param {{ title: string, items: { label: string, value: number, text: string }[] }} chart
 */
export function barChart({ title, items }) {
  const row = 34, width = 360;
  const max = Math.max(...items.map((i) => i.value), 0) || 1;
  const root = svg('svg', { viewBox: `0 0 ${width} ${items.length * row + 4}`, role: 'img', 'aria-label': spoken(title, items), class: 'chart-bars', preserveAspectRatio: 'xMinYMin meet' });
  items.forEach((item, n) => {
    const y = n * row;
    root.append(svg('g', { class: 'bar', 'data-key': item.label },
      svg('title', {}, `${item.label}: ${item.text}`),
      svg('text', { x: 0, y: y + 13, class: 'label' }, item.label.length > 38 ? item.label.slice(0, 37) + '…' : item.label),
      svg('text', { x: width, y: y + 13, 'text-anchor': 'end', class: 'value' }, item.text),
      svg('rect', { x: 0, y: y + 18, width, height: 10, rx: 2, class: 'track' }),
      svg('rect', { x: 0, y: y + 18, width: Math.max((item.value / max) * width, item.value > 0 ? 2 : 0), height: 10, rx: 2 })));
  });
  return root;
}
