"""Turns bench/run's results.jsonl into the markdown tables of docs/benchmarks-gateway.md.

usage: report.py results.jsonl [meta.txt]
Added latency = gateway minus its direct counterpart, per interleaved round, median over rounds.
"""
import json
import statistics
import sys
from collections import defaultdict

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
if len(sys.argv) > 2:
    print(open(sys.argv[2]).read().strip())
    print()

DIRECT = {"mux-oai-oai-t": "direct-oai-t", "mux-ant-oai-t": "direct-oai-t", "mux-oai-ant-t": "direct-ant-t",
          "yarp-oai": "direct-oai", "mux-oai-oai": "direct-oai", "mux-cluster-oai": "direct-oai", "mux-ant-oai": "direct-oai", "pk-oai-oai": "direct-oai",
          "mux-oai-ant": "direct-ant", "pk-oai-ant": "direct-ant"}
LABEL = {
    "direct-oai": "direct → nginx /v1/chat/completions (the limit)",
    "direct-ant": "direct → nginx /v1/messages (the limit)",
    "yarp-oai": "bare YARP proxy, same build (the framework's floor)",
    "mux-oai-oai": "llm-mux (b) OpenAI → openai, pass-through",
    "mux-cluster-oai": "llm-mux (b) pass-through, cluster mode (Redis on loopback)",
    "mux-ant-oai": "llm-mux (c) Anthropic client → openai upstream",
    "mux-oai-ant": "llm-mux (c) OpenAI client → anthropic upstream",
    "pk-oai-oai": "Portkey (e) OpenAI → openai, pass-through",
    "pk-oai-ant": "Portkey (e) OpenAI client → anthropic upstream",
}
LABEL.update({
    "direct-oai-t": "direct → one-delta stream fake, OpenAI SSE: TTFT (the limit)",
    "mux-oai-oai-t": "llm-mux OpenAI → openai stream, pass-through: TTFT",
    "mux-ant-oai-t": "llm-mux (d) Anthropic client → openai upstream, stream: TTFT",
    "direct-ant-t": "direct → one-delta stream fake, Anthropic SSE: TTFT (the limit)",
    "mux-oai-ant-t": "llm-mux (d) OpenAI client → anthropic upstream, stream: TTFT",
})
SLABEL = {k + "-s": v.replace("(b)", "(d)").replace("(c)", "(d)") + ", stream" for k, v in LABEL.items()}
SLABEL["mux-oai-oai-s"] = "llm-mux OpenAI → openai stream, pass-through"
SLABEL["mux-cluster-oai-s"] = "llm-mux OpenAI → openai stream, pass-through, cluster mode"
SLABEL["direct-oai-s"] = "direct → paced fake, OpenAI SSE"
SLABEL["direct-ant-s"] = "direct → paced fake, Anthropic SSE"


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def us(x):
    return "–" if x is None else f"{x:,.0f}"


def errors(r):
    return sum(r.get(k, 0) for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))


skips = [r["why"] for r in rows if r["kind"] == "skip"]

# ------------------------------------------------------------------ c=1 latency
lat = defaultdict(list)
for r in rows:
    if r["kind"] == "lat":
        lat[r["case"]].append(r["r"])
if lat:
    print("### Added latency at concurrency 1 (wrk -t1 -c1, µs; median over interleaved rounds)")
    print()
    print("| case | rounds | p50 | p99 | added p50 | added p99 | errors |")
    print("|---|---|---|---|---|---|---|")
    for case, runs in lat.items():
        d = lat.get(DIRECT.get(case, ""), [])
        add50 = med([a["p50_us"] - b["p50_us"] for a, b in zip(runs, d)]) if d else None
        add99 = med([a["p99_us"] - b["p99_us"] for a, b in zip(runs, d)]) if d else None
        print(f"| {LABEL.get(case, case)} | {len(runs)} | {us(med([x['p50_us'] for x in runs]))} | "
              f"{us(med([x['p99_us'] for x in runs]))} | {us(add50) if d else '–'} | {us(add99) if d else '–'} | "
              f"{sum(errors(x) for x in runs)} |")
    print()

# ------------------------------------------------------------------ throughput
tp = defaultdict(lambda: defaultdict(list))
cpu = defaultdict(lambda: defaultdict(list))
for r in rows:
    if r["kind"] == "tp":
        tp[r["case"]][r["conns"]].append(r["r"])
        if r["r"].get("requests"):
            cpu[r["case"]][r["conns"]].append(r["cpu_s"] * 1e6 / r["r"]["requests"])
if tp:
    conns = sorted({c for v in tp.values() for c in v})
    print("### Throughput (wrk -t2, zero-delay nginx upstream; req/s, median over rounds; errors summed)")
    print()
    print("| case | " + " | ".join(f"c={c}" for c in conns) + " | max req/s, 0 errors | % of direct | gateway CPU µs/req |")
    print("|---|" + "---|" * len(conns) + "---|---|---|")
    best = {}
    for case, by_c in tp.items():
        cells, ok = [], []
        for c in conns:
            runs = by_c.get(c, [])
            rps = med([x.get("rps") for x in runs])
            e = sum(errors(x) for x in runs)
            cells.append("–" if rps is None else f"{rps:,.0f}" + (f" ({e} err)" if e else ""))
            if rps is not None and e == 0:
                ok.append((rps, c))
        best[case] = max(ok) if ok else None
        d = best.get(DIRECT.get(case, ""))
        pct = f"{100 * best[case][0] / d[0]:.0f} %" if best[case] and d else "–"
        cpu_cell = "–"
        if cpu[case]:
            cpu_cell = " / ".join(f"{med(cpu[case][c]):,.0f}" for c in conns if cpu[case].get(c))
        print(f"| {LABEL.get(case, case)} | " + " | ".join(cells) +
              f" | {('%s (c=%d)' % (format(round(best[case][0]), ','), best[case][1])) if best[case] else '–'} | {pct} | {cpu_cell} |")
    print()

# ------------------------------------------------------------------ streams at c=1
sseq = defaultdict(list)
for r in rows:
    if r["kind"] == "sseq":
        sseq[r["case"]].append(r["r"])


def pct(xs, p):
    if not xs:
        return None
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, -(-p * len(s) // 100) - 1))]


if sseq:
    print("### Streams at concurrency 1 (role chunk + 64 deltas × 20 ms; µs; TTFT = request sent → first content frame)")
    print()
    print("| case | streams ok | TTFT p50 | TTFT p99 | added TTFT p50 | added TTFT p99 | frame gap p99 | added gap p99 |")
    print("|---|---|---|---|---|---|---|---|")
    pooled = {c: [t for x in runs for t in (x.get("ttfts") or [])] for c, runs in sseq.items()}
    gap99 = {c: med([x.get("gap_p99_us") for x in runs]) for c, runs in sseq.items()}
    for case, runs in sseq.items():
        direct = DIRECT.get(case[:-2], "") + "-s"
        t = pooled[case]
        dt = pooled.get(direct)
        a50 = pct(t, 50) - pct(dt, 50) if dt and t else None
        a99 = pct(t, 99) - pct(dt, 99) if dt and t else None
        ag = gap99[case] - gap99[direct] if direct in gap99 and gap99[case] is not None and gap99[direct] is not None else None
        okn = sum(x.get("ok", 0) for x in runs)
        n = sum(x.get("streams", 0) for x in runs)
        print(f"| {SLABEL.get(case, case)} | {okn}/{n} | {us(pct(t, 50))} | {us(pct(t, 99))} | {us(a50)} | {us(a99)} | "
              f"{us(gap99[case])} | {us(ag)} |")
    print()

sttft = defaultdict(list)
for r in rows:
    if r["kind"] == "sttft":
        sttft[r["case"]].append(r["r"])
if sttft:
    print("### Time to first token at concurrency 1 (one-delta streams, samples pooled over interleaved rounds; µs)")
    print()
    print("| case | samples | TTFT p50 | TTFT p99 | added TTFT p50 | added TTFT p99 |")
    print("|---|---|---|---|---|---|")
    pooled = {c: [t for x in runs for t in (x.get("ttfts") or [])] for c, runs in sttft.items()}
    for case, t in pooled.items():
        direct = DIRECT.get(case[:-2], "") + "-t"
        dt = pooled.get(direct)
        a50 = pct(t, 50) - pct(dt, 50) if dt and t else None
        a99 = pct(t, 99) - pct(dt, 99) if dt and t else None
        label = SLABEL.get(case[:-2] + "-s", case).replace("paced fake", "one-delta fake")
        print(f"| {label} | {len(t)} | {us(pct(t, 50))} | {us(pct(t, 99))} | {us(a50)} | {us(a99)} |")
    print()

sconc = defaultdict(list)
for r in rows:
    if r["kind"] == "sconc":
        sconc[r["case"]].append(r)
if sconc:
    print("### Concurrent streams (all opened at once; a stream fails on a lost frame, an error, or a gap > 200 ms)")
    print()
    print("| case | most streams without loss or stall | first failing step | TTFT p99 at the largest clean step (µs) | gap p99 there (µs) |")
    print("|---|---|---|---|---|")
    for case, steps in sconc.items():
        is_clean = lambda s: s["r"].get("ok") == s["n"] and s["r"].get("stalled") == 0
        clean = [s for s in steps if is_clean(s)]
        bad = [s for s in steps if not is_clean(s)]
        top = max(clean, key=lambda s: s["n"]) if clean else None
        fail = "none" if not bad else (
            f"{bad[0]['n']}: complete {bad[0]['r'].get('ok')}, lost {bad[0]['r'].get('lost')}, stalled {bad[0]['r'].get('stalled')}, "
            f"errors {bad[0]['r'].get('errors')} (max gap {us((bad[0]['r'].get('gap_max_us') or 0) / 1000)} ms)")
        print(f"| {SLABEL.get(case, case)} | {top['n'] if top else 0}{'+' if not bad and top else ''} | {fail} | "
              f"{us(top['r'].get('ttft_p99_us')) if top else '–'} | {us(top['r'].get('gap_p99_us')) if top else '–'} |")
    print()

# ------------------------------------------------------------------ memory and start
rss = defaultdict(dict)
for r in rows:
    if r["kind"] == "rss":
        rss[r["target"]][r["phase"]] = r
starts = defaultdict(list)
listening = defaultdict(list)
for r in rows:
    if r["kind"] == "start":
        starts[r["target"]].append(r["r"].get("start_to_first_answer_ms"))
        if r["r"].get("listening_ms") is not None:
            listening[r["target"]].append(r["r"]["listening_ms"])
soak = [(r["t"], r["kb"]) for r in rows if r["kind"] == "soak-rss"]
growth = None
if len(soak) >= 4:
    tail = soak[len(soak) // 2:]
    mt = statistics.mean(t for t, _ in tail)
    mk = statistics.mean(k for _, k in tail)
    den = sum((t - mt) ** 2 for t, _ in tail)
    if den:
        growth = sum((t - mt) * (k - mk) for t, k in tail) / den * 60 / 1024  # MiB/min
if rss or starts:
    print("### Memory and start")
    print()
    print("| process | idle RSS | RSS after load | peak RSS (VmHWM) | soak growth | start → first answer, median ms (runs) | start → port open, median ms |")
    print("|---|---|---|---|---|---|---|")
    mb = lambda kb: "–" if not kb else f"{kb / 1024:.0f} MiB"
    for target in sorted(set(rss) | set(starts)):
        ph = rss[target]
        after = ph.get("after-soak") or ph.get("after-load")
        sv = [s for s in starts.get(target, []) if s is not None]
        soak_cell = "–"
        if target == "llm-mux" and growth is not None:
            soak_cell = f"{growth:+.1f} MiB/min over the 2nd half of a {soak[-1][0] + 5}-s soak"
        print(f"| {target} | {mb(ph.get('idle', {}).get('kb'))} | {mb(ph.get('after-load', {}).get('kb'))}"
              f"{' (after soak ' + mb(ph['after-soak']['kb']) + ')' if 'after-soak' in ph else ''} | "
              f"{mb((after or {}).get('hwm_kb'))} | {soak_cell} | "
              f"{(format(statistics.median(sv), '.0f') + ' (' + ', '.join(format(s, '.0f') for s in sv) + ')') if sv else '–'} | "
              f"{format(statistics.median(listening[target]), '.0f') if listening.get(target) else '–'} |")
    print()

if skips:
    print("### Skipped")
    print()
    for s in skips:
        print(f"- {s}")
    print()
