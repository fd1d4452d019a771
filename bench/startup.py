"""Process start -> first answered request, for bench/run.

usage: startup.py URL BODYFILE HEADERS_JSON TIMEOUT_S -- CMD...
Starts CMD, POSTs BODYFILE to URL every 2 ms until a 200 comes back, prints one JSON line
{"start_to_first_answer_ms": ..., "listening_ms": ..., "rss_kb_after_first": ...}, then stops CMD (SIGTERM, then SIGKILL).
"""
import http.client, json, os, signal, subprocess, sys, time
from urllib.parse import urlparse

sep = sys.argv.index("--")
url, body_file, headers_json, timeout = sys.argv[1:sep]
cmd = sys.argv[sep + 1:]
body = open(body_file, "rb").read()
headers = {"content-type": "application/json", **json.loads(headers_json or "{}")}
u = urlparse(url)

t0 = time.perf_counter()
proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
result = {"start_to_first_answer_ms": None}
try:
    while time.perf_counter() - t0 < float(timeout):
        if proc.poll() is not None:
            result["error"] = f"exited with {proc.returncode}"
            break
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
            c.connect()
            if "listening_ms" not in result:
                result["listening_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            c.request("POST", u.path, body=body, headers=headers)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                result["start_to_first_answer_ms"] = round((time.perf_counter() - t0) * 1000, 1)
                try:
                    for line in open(f"/proc/{proc.pid}/status"):
                        if line.startswith("VmRSS:"):
                            result["rss_kb_after_first"] = int(line.split()[1])
                except OSError:
                    pass
                break
            result["last_status"] = r.status
        except OSError:
            pass
        time.sleep(0.002)
    else:
        result["error"] = "timeout"
finally:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except Exception:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except Exception:
            pass
print(json.dumps(result))
