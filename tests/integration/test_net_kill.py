"""Issue 3: kill -9 at random instants during downloads and commits.

A desk of 4 large images (noise PNGs of several MB, served at a few MB/s so
that they take seconds) and 8 small ones (many commits). The player is
started, killed with SIGKILL at a random instant after its first request,
and restarted, KILLS times (50; 300 with DP_LONG=1; 30 on a sanitizer
build, which the normal pass of `make test` runs with 50). Every few kills the
feed moves the same files to new URLs, so that downloads, commits and
evictions (max_size) keep happening. After every kill, every file the index
lists must match its size, its SHA-256 and the server's bytes. At the end a
run without kills completes the desk and every item plays whole.
"""
import os
import random
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultserver as fs  # noqa: E402

fs.require_binary()
KILLS = 300 if os.environ.get("DP_LONG") == "1" else 30 if fs.asan_build() else 50
WORK = tempfile.mkdtemp(prefix="dp-net-kill-")
CACHE = os.path.join(WORK, "cache")
rng = random.Random(int(os.environ.get("DP_SEED", "0")) or None)
seed = rng.randrange(1 << 30)
rng.seed(seed)

BIG = [fs.make_png(os.path.join(WORK, "big%d.png" % i), 1200, 1100, noise=True)
       for i in range(4)]
SMALL = [fs.make_png(os.path.join(WORK, "s%d.png" % i), 64 + 8 * i, 48, c)
         for i, c in enumerate(["red", "lime", "blue", "yellow", "cyan", "magenta",
                                "white", "gray"])]
srv = fs.FaultServer().start()
srv.set_rate(2 * 1024 * 1024)
content = {}


def publish(gen):
    items = []
    for i, data in enumerate(BIG):
        path = "/g%d/big%d.png" % (gen, i)
        content[path] = data
        srv.put(path, data, "image/png")
        srv.set_mode(path, "slow")
        items.append(("g%db%d" % (gen, i), path.lstrip("/"), 1 + i))
    for i, data in enumerate(SMALL):
        path = "/g%d/s%d.png" % (gen, i)
        content[path] = data
        srv.put(path, data, "image/png")
        items.append(("g%ds%d" % (gen, i), path.lstrip("/"), 10 + i))
    srv.put("/feed.json", fs.feed_json(items), "application/feed+json")


CONFIG = """[feed]
poll_interval = 1s
[cache]
max_size = %d
[playback]
image_duration = 400ms
[display]
transition = cut
[status]
listen =
""" % (sum(len(b) for b in BIG) * 2 + 1000000)

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


def verify(tag):
    problems, urls = fs.check_cache(CACHE, running=True)
    for url in urls:
        path = urllib.parse.urlsplit(url).path
        key = __import__("hashlib").sha256(url.encode()).hexdigest()
        try:
            with open(os.path.join(CACHE, "media", key), "rb") as f:
                if f.read() != content.get(path):
                    problems.append("not the server's bytes: " + url)
        except OSError:
            pass   # reported by check_cache
    if problems:
        check(False, "%s: cache sound %s" % (tag, problems[:5]))
    return not problems, len(urls)


gen = 0
publish(gen)
t0 = time.monotonic()
sound = 0
kill_phases = {"downloading": 0, "idle": 0}
for k in range(KILLS):
    if k and k % 4 == 0:
        gen += 1
        publish(gen)
    before = len(srv.stats()["requests"])
    p = fs.Player(srv.url("/feed.json"), WORK, CACHE, CONFIG, args=["--run-for", "60"],
                  name="kill")
    end = time.monotonic() + 10
    while len(srv.stats()["requests"]) == before and time.monotonic() < end and \
            p.proc.poll() is None:
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 1.6))
    active = any(r["path"].endswith(".png") and time.time() - r["t"] < 3
                 for r in srv.stats()["requests"][-4:])
    kill_phases["downloading" if active else "idle"] += 1
    p.kill()
    ok, _ = verify("after kill %d" % (k + 1))
    sound += ok
print("kills: %d in %.0f s (seed %d), %d with a download under way; sound after %d of them"
      % (KILLS, time.monotonic() - t0, seed, kill_phases["downloading"], sound))
check(sound == KILLS, "every file the index lists is whole after each of %d kills" % KILLS)

# ---- a run without kills: the desk completes and every item plays whole ----
n_items = len(BIG) + len(SMALL)
resumes = [r for r in srv.stats()["requests"] if r.get("status") == 206]
p = fs.Player(srv.url("/feed.json"), WORK, CACHE, CONFIG, args=["--run-for", "120"],
              name="final")
want = {"g%db%d#1" % (gen, i) for i in range(len(BIG))} | \
       {"g%ds%d#1" % (gen, i) for i in range(len(SMALL))}


def all_shown(evs):
    got = {e["item"] for e in evs if e["event"] == "shown"}
    return want <= got


done = p.wait_for(all_shown, 90)
evs = p.events()
code = p.stop()
check(done, "final run: all %d items of the last feed shown" % n_items)
check(code == 0, "final run exits 0 on SIGTERM (%s)" % code)
plan = {e["item"]: e["duration_ms"] for e in evs if e["event"] == "show"}
short = [e["item"] for e in evs if e["event"] == "shown" and e["item"] in want and
         e["elapsed_ms"] < 0.9 * plan.get(e["item"], 0)]
bad = [e for e in evs if e["event"] == "skip" and e.get("reason") not in ("not_cached",)]
check(not bad, "no item skipped as broken %s" % bad[:3])
check(not short, "each item played whole (shown for its planned time) %s" % short[:3])
ok, n = verify("final")
check(ok, "final cache sound (%d files listed)" % n)
problems, _ = fs.check_cache(CACHE)
check(not problems and fs.temp_bytes(CACHE) == 0,
      "no temp bytes after a clean exit %s" % problems[:3])
print("downloads resumed with Range (206 answers): %d" % len(resumes))
srv.stop()
if failures:
    print("%d failed; work dir %s" % (len(failures), WORK))
    sys.exit(1)
shutil.rmtree(WORK, ignore_errors=True)
print("all checks passed")
