// SSE load client for bench/run. Counts content frames (events whose text holds "tok<i>", which survives translation),
// times the first one (TTFT) and the gaps between them, and flags lost frames and stalls.
//   node stream-client.mjs seq  URL BODYFILE HEADERS_JSON COUNT          -> one warm-up stream, then COUNT streams one after another (c=1)
//   node stream-client.mjs conc URL BODYFILE HEADERS_JSON STREAMS        -> STREAMS streams opened at once
// Env: FRAMES (expected frames per stream, 64), STALL_MS (a gap that counts as a stall, 200 = 10x the 20 ms pacing),
//      TIMEOUT_MS (whole stream, 30000). Prints one JSON line.
import http from 'node:http';
import fs from 'node:fs';

const [mode, url, bodyFile, headersJson, countArg] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile);
const extra = JSON.parse(headersJson || '{}');
const count = Number(countArg || 1);
const FRAMES = Number(process.env.FRAMES || 64);
const STALL_MS = Number(process.env.STALL_MS || 200);
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 30000);
const u = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const TOK = /tok\d+/;

function one() {
  return new Promise((resolve) => {
    const r = { ok: false, frames: 0, ttft: null, gaps: [], maxGap: 0, status: 0, error: null };
    const t0 = process.hrtime.bigint();
    let last = null;
    let buf = '';
    const timer = setTimeout(() => { r.error = 'timeout'; req.destroy(); }, TIMEOUT_MS);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': body.length, accept: 'text/event-stream', ...extra } }, (res) => {
      r.status = res.statusCode;
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const event = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!TOK.test(event)) continue;
          const now = process.hrtime.bigint();
          if (last === null) r.ttft = Number(now - t0) / 1000; // µs
          else { const g = Number(now - last) / 1000; r.gaps.push(g); if (g > r.maxGap) r.maxGap = g; }
          last = now;
          r.frames += 1;
        }
      });
      res.on('end', () => { clearTimeout(timer); r.ok = res.statusCode === 200 && r.frames === FRAMES; resolve(r); });
      res.on('error', (e) => { clearTimeout(timer); r.error = r.error || String(e.code || e.message); resolve(r); });
    });
    req.on('socket', (s) => s.setNoDelay(true));
    req.on('error', (e) => { clearTimeout(timer); r.error = r.error || String(e.code || e.message); resolve(r); });
    req.end(body);
  });
}

const pct = (arr, p) => {
  if (arr.length === 0) return null;
  const s = Float64Array.from(arr).sort();
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]);
};

const results = [];
if (mode === 'seq') {
  await one(); // warm-up stream (this process's JIT, the keep-alive connection); not counted
  for (let i = 0; i < count; i++) results.push(await one());
} else {
  results.push(...await Promise.all(Array.from({ length: count }, one)));
}
agent.destroy();

const gaps = results.flatMap((r) => r.gaps);
const ttfts = results.filter((r) => r.ttft !== null).map((r) => r.ttft);
const out = {
  mode, streams: results.length,
  ok: results.filter((r) => r.ok).length,
  lost: results.filter((r) => r.status === 200 && r.frames !== FRAMES).length,
  stalled: results.filter((r) => r.maxGap > STALL_MS * 1000).length,
  errors: results.filter((r) => r.error || r.status !== 200).length,
  first_error: (results.find((r) => r.error || r.status !== 200) || {}).error || (results.find((r) => r.status !== 200) || {}).status || null,
  ttft_p50_us: pct(ttfts, 50), ttft_p99_us: pct(ttfts, 99), ttft_max_us: pct(ttfts, 100),
  gap_p50_us: pct(gaps, 50), gap_p99_us: pct(gaps, 99), gap_max_us: pct(gaps, 100),
  ttfts: mode === 'seq' ? ttfts.map(Math.round) : undefined,
};
process.stdout.write(JSON.stringify(out) + '\n');
