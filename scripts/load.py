#!/usr/bin/env python3
"""Load benchmark of `cramp serve` on loopback with wrk (issue 4; SPEC §8 speed).

Starts target/release/cramp serve on a free 127.0.0.1 port, then runs three interleaved rounds of
  GET  /healthz                 (the trivial endpoint)
and one of (the first argument; default assess)
  assess:        POST /api/v1/assess (a realistic case: vignette V34, or examples/cirrhosis-on-diuretics.json)
  patient-view:  POST /cds-services/cramp-patient-view (examples/cds-patient-view-request.json: a
                 CDS Hooks call with full prefetch, 23 keys, 17 KB as written; issue 5)
with `wrk -t2 -c30 -d10s --latency`, reads the server's user+sys CPU from /proc around each run,
and prints every run and the medians: throughput ratio (goal >= 0.5; floor 0.35), p99 against twice
the trivial endpoint's, errors (goal: none), and the server's CPU per request (user+sys over wrk's
request count): the endpoint's cost minus the health check's is the figure that does not depend on
wrk sharing the cores. Bounded: about 70 s in all; loopback only.

  diary-writes sqlite|postgres:  POST /api/v1/diaries/{id}/episodes, durable episode writes (issue 6):
                 three runs of the same wrk command against one diary on a fresh SQLite file
                 (synchronous=FULL) or the PostgreSQL of CRAMP_LOAD_POSTGRES_URL (scripts/load starts
                 a throwaway cluster, fsync on); every 201 is a committed write.
Run: scripts/load [assess|patient-view|diary-writes sqlite|diary-writes postgres]   (installs wrk if missing)
CRAMP_LOAD_BIN=path/to/cramp measures another build (e.g. another profile) instead of target/release/cramp.
CRAMP_LOAD_CASE=path/to/case.json sends another case to assess (a SPEC §3 case, a FHIR Bundle, or a
vignette file, whose "case" is sent) instead of V34.
"""
import json, os, re, socket, statistics, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# CRAMP_LOAD_BIN: another build of cramp to measure (e.g. another profile); default the release build.
BIN = Path(os.environ.get("CRAMP_LOAD_BIN", ROOT / "target/release/cramp"))
DURATION, THREADS, CONNECTIONS, ROUNDS = "10s", "2", "30", 3

def case_body():
    if os.environ.get("CRAMP_LOAD_CASE"):
        path = Path(os.environ["CRAMP_LOAD_CASE"])
        doc = json.loads(path.read_text())
        return json.dumps(doc["case"] if "case" in doc and "narrative" in doc else doc), str(path)
    v = ROOT.parent / "shared/clinical/vignettes/V34.json"
    if v.exists():
        return json.dumps(json.loads(v.read_text())["case"]), "vignette V34 (cirrhosis, diuretics, low K/Mg/Na, 5 labs)"
    return (ROOT / "examples/cirrhosis-on-diuretics.json").read_text(), "examples/cirrhosis-on-diuretics.json"

def hook_body():
    return (ROOT / "examples/cds-patient-view-request.json").read_text(), "examples/cds-patient-view-request.json (patient-view, full prefetch)"

def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick  # utime, stime

def to_ms(s):
    m = re.match(r"([0-9.]+)(us|ms|s|m)$", s)
    if not m:
        raise ValueError(f"unexpected wrk latency {s!r}")
    v, u = float(m.group(1)), m.group(2)
    if u == "m":
        return v * 60000
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v

def wrk(url, script=None):
    cmd = ["wrk", "-t", THREADS, "-c", CONNECTIONS, "-d", DURATION, "--latency"] + (["-s", script] if script else []) + [url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    if "Latency Distribution" not in out:
        raise RuntimeError("wrk printed no latency distribution:\n" + out)
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    sock = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out)) if "Socket errors" in out else 0
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": p50, "p99": p99, "errors": non2xx + sock, "requests": requests}

def start_server(port, database):
    """`cramp serve` on 127.0.0.1:port with its own database, once it answers /healthz."""
    server = subprocess.Popen([str(BIN), "serve", "--addr", f"127.0.0.1:{port}", "--database", database], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz"); break
        except OSError:
            time.sleep(0.05)
    return server

EPISODE = json.dumps({"started_at": "2026-11-23T03:10:00+01:00", "leg": "left", "muscle": "calf", "duration_min": 2,
                      "pain": 7, "woke_from_sleep": True, "helped": ["stretching"]})

def diary_writes(db):
    """Durable episode writes per second on one database."""
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    base = f"http://127.0.0.1:{port}"
    tmp = tempfile.mkdtemp()
    url = f"sqlite://{tmp}/load.db" if db == "sqlite" else os.environ.get("CRAMP_LOAD_POSTGRES_URL", "")
    if not url:
        sys.exit("diary-writes postgres needs CRAMP_LOAD_POSTGRES_URL (scripts/load sets it)")
    server = start_server(port, url)
    try:
        d = json.loads(urllib.request.urlopen(urllib.request.Request(base + "/api/v1/diaries", data=b"", method="POST")).read())
        path = f"/api/v1/diaries/{d['diary_id']}/episodes"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    f'wrk.headers["Authorization"] = "Bearer {d["token"]}"\nwrk.body = ' + json.dumps(EPISODE) + "\n")
            lua = f.name
        runs = []
        for r in range(ROUNDS):
            u0, s0 = cpu_seconds(server.pid)
            res = wrk(base + path, lua)
            u1, s1 = cpu_seconds(server.pid)
            runs.append(res)
            print(f"run {r + 1} {db:9} {res['rps']:>8.0f} writes/s  p50 {res['p50']:.2f} ms  p99 {res['p99']:.2f} ms  errors {res['errors']}  server CPU user+sys {u1 - u0:.1f}+{s1 - s0:.1f} s")
        med = {k: statistics.median(x[k] for x in runs) for k in ("rps", "p50", "p99")}
        print(f"\n{db}: wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION} --latency, POST {len(EPISODE)}-byte episode, {ROUNDS} runs")
        print(f"median {med['rps']:.0f} durable writes/s  p50 {med['p50']:.2f} ms  p99 {med['p99']:.2f} ms  errors {sum(x['errors'] for x in runs)}")
    finally:
        server.terminate(); server.wait(timeout=10)

def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "assess"
    if target == "diary-writes":
        db = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
        if db not in ("sqlite", "postgres"):
            sys.exit("usage: scripts/load diary-writes sqlite|postgres")
        return diary_writes(db)
    if target not in ("assess", "patient-view"):
        sys.exit("usage: scripts/load [assess|patient-view|diary-writes sqlite|diary-writes postgres]")
    path = "/api/v1/assess" if target == "assess" else "/cds-services/cramp-patient-view"
    if not BIN.exists():
        sys.exit("build first: cargo build --release")
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, f"sqlite://{tempfile.mkdtemp()}/load.db")
    try:
        body, what = case_body() if target == "assess" else hook_body()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ' + json.dumps(body) + "\n")
            lua = f.name
        req = urllib.request.Request(base + path, data=body.encode(), headers={"Content-Type": "application/json"})
        assert urllib.request.urlopen(req).status == 200
        subprocess.run(["wrk", "-t", THREADS, "-c", CONNECTIONS, "-d", "3s", base + "/healthz"], capture_output=True)  # warm-up
        runs = {"healthz": [], target: []}
        for r in range(ROUNDS):
            for name, url, script in (("healthz", base + "/healthz", None), (target, base + path, lua)):
                u0, s0 = cpu_seconds(server.pid)
                res = wrk(url, script)
                u1, s1 = cpu_seconds(server.pid)
                res["cpu"] = f"{u1 - u0:.1f}+{s1 - s0:.1f}"
                # Server CPU per request: what the server spends, whatever wrk does on the same cores.
                res["cpu_us"] = (u1 - u0 + s1 - s0) * 1e6 / max(res["requests"], 1)
                runs[name].append(res)
                print(f"round {r + 1} {name:12} {res['rps']:>10.0f} req/s  p50 {res['p50']:.2f} ms  p99 {res['p99']:.2f} ms  errors {res['errors']}  server CPU user+sys {res['cpu']} s ({res['cpu_us']:.1f} µs/request)")
        med = {n: {k: statistics.median(x[k] for x in v) for k in ("rps", "p50", "p99", "cpu_us")} for n, v in runs.items()}
        errors = sum(x["errors"] for v in runs.values() for x in v)
        ratio = med[target]["rps"] / med["healthz"]["rps"]
        print(f"\ncase: {what}; wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION} --latency, {ROUNDS} interleaved rounds")
        for n in ("healthz", target):
            print(f"median {n:12} {med[n]['rps']:>10.0f} req/s  p50 {med[n]['p50']:.2f} ms  p99 {med[n]['p99']:.2f} ms  server CPU {med[n]['cpu_us']:.1f} µs/request")
        print(f"throughput ratio {target}/healthz: {ratio:.2f} (goal >= 0.5, floor 0.35)")
        print(f"p99 {target} / p99 healthz: {med[target]['p99'] / med['healthz']['p99']:.2f} (goal <= 2)")
        print(f"errors: {errors} (goal 0)")
        print(f"server CPU per request, {target} minus healthz: {med[target]['cpu_us'] - med['healthz']['cpu_us']:.1f} µs (the endpoint's own cost, independent of wrk)")
    finally:
        server.terminate(); server.wait(timeout=10)

if __name__ == "__main__":
    main()
