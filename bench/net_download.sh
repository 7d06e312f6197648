#!/bin/sh
# Media download throughput over loopback: deskplayer's downloader (which
# fsyncs and records its part every 1 MiB so that a power cut loses little)
# against `curl -o` of the same file followed by fsync and `sha256sum` (the
# same work: the cache records every file's SHA-256), interleaved A, B, A, B
# (5 rounds). deskplayer's time runs from its poll event to its download
# event, so it also includes handing the feed to the app and back.
# Prints the medians, their ranges and the ratio deskplayer time / curl time
# of each round, with their median and range.
# Usage: bench/net_download.sh [BUILD_DIR] [MiB]   (default: build, 128)
set -eu
. "$(dirname "$0")/lib.sh"
bench_init "${1:-}"
MIB=${2:-128}
command -v curl >/dev/null || { echo "curl CLI missing: skipped"; exit 0; }
export SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
exec python3 - "$bin" "$MIB" "$src/tests/integration" <<'EOF'
import os, shutil, statistics, subprocess, sys, tempfile, time
bin_, mib, tests = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, tests)
os.environ["DP_BIN"] = bin_
import faultserver as fs  # noqa: E402
fs.BIN = bin_

work = tempfile.mkdtemp(prefix="dp-bench-net-")
data = os.urandom(mib << 20)
srv = fs.FaultServer().start()
rounds = 5
dp_times, curl_times = [], []
for r in range(rounds):
    path = "/big%d.png" % r          # a new URL each round: a real download
    srv.put(path, data, "image/png")
    srv.put("/feed.json", fs.feed_json([("big%d" % r, path.lstrip("/"), 1)]),
            "application/feed+json")
    cache = os.path.join(work, "cache%d" % r)
    p = fs.Player(srv.url("/feed.json"), work, cache,
                  "[status]\nlisten =\n[cache]\nmax_media_size = 2G\n",
                  args=["--run-for", "600"], name="dp%d" % r)
    ev = p.wait_for(lambda evs: [e for e in evs if e["event"] == "download"], 300)
    polls = p.events("poll")
    p.stop()
    if not ev or ev[0]["result"] != "ok" or not polls:
        print("deskplayer download failed: %s" % (ev and ev[0]))
        sys.exit(1)
    dp_times.append(fs.ts_seconds(ev[0]) - fs.ts_seconds(polls[0]))
    out = os.path.join(work, "curl.out")
    t0 = time.monotonic()
    subprocess.run(["curl", "-sf", "-o", out, srv.url(path)], check=True)
    with open(out, "rb") as f:
        os.fsync(f.fileno())
    subprocess.run(["sha256sum", out], check=True, stdout=subprocess.DEVNULL)
    curl_times.append(time.monotonic() - t0)
    os.unlink(out)
    shutil.rmtree(cache, ignore_errors=True)
srv.stop()
shutil.rmtree(work, ignore_errors=True)


def show(name, xs):
    med = statistics.median(xs)
    print("%-22s median %.3f s (%.3f-%.3f), %.0f MiB/s" % (name, med, min(xs), max(xs),
                                                          mib / med))
    return med


print("download of %d MiB over loopback, %d rounds interleaved" % (mib, rounds))
show("deskplayer", dp_times)
show("curl+fsync+sha256sum", curl_times)
ratios = [a / b for a, b in zip(dp_times, curl_times)]
print("deskplayer/curl: per round %s; median %.3f (range %.3f-%.3f)"
      % (" ".join("%.2f" % r for r in ratios), statistics.median(ratios), min(ratios),
         max(ratios)))
EOF
