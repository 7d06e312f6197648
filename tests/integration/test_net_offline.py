"""Issue 3: a start with no network plays the cached desk at once, and an
unchanged feed costs only conditional requests.

1. Populate: the player downloads a desk of four images and a text post.
2. Ten polls of the unchanged feed: every answer is a 304, nothing is
   downloaded again; the bytes on the wire are reported.
   Before that, a cached file damaged on disk (same size, other bytes) is
   skipped as corrupt, fetched again and shown.
3. The server goes away: every item is shown from the cache and the failed
   poll is in the play log; over five more starts the first item is on
   screen within 1 s of the start (median reported).
"""
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultserver as fs  # noqa: E402

fs.require_binary()
WORK = tempfile.mkdtemp(prefix="dp-net-offline-")
CACHE = os.path.join(WORK, "cache")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


srv = fs.FaultServer().start()
items = []
for i, c in enumerate(["red", "lime", "blue", "yellow"]):
    srv.put("/m/%d.png" % i, fs.make_png(os.path.join(WORK, "%d.png" % i), 320 + 40 * i, 240,
                                          c), "image/png")
    items.append(("p%d" % i, "m/%d.png" % i, i + 1))
items.append(("note", None, 0.5))
srv.put("/feed.json", fs.feed_json(items), "application/feed+json")
WANT = {"p%d#1" % i for i in range(4)} | {"note"}

CONFIG = """[feed]
poll_interval = %s
[playback]
image_duration = 300ms
text_duration = 300ms
[display]
transition = cut
[status]
listen =
"""

# ---- 1. populate ----
p = fs.Player(srv.url("/feed.json"), WORK, CACHE, CONFIG % "60s", args=["--run-for", "60"],
              name="populate")
ok = p.wait_for(lambda evs: WANT <= {e["item"] for e in evs if e["event"] == "shown"}, 40)
check(ok, "populate: every item downloaded and shown")
check(p.stop() == 0, "populate: exit 0")

# ---- 1b. a cached file damaged on disk ----
import hashlib  # noqa: E402
url1 = srv.url("/m/1.png")
mp = os.path.join(CACHE, "media", hashlib.sha256(url1.encode()).hexdigest())
with open(mp, "r+b") as f:
    f.seek(100)
    f.write(b"\0" * 16)
p = fs.Player(srv.url("/feed.json"), WORK, CACHE, CONFIG % "60s", args=["--run-for", "60"],
              name="corrupt")
ok = p.wait_for(lambda evs: [e for e in evs if e["event"] == "shown" and e["item"] == "p1#1"],
                40)
evs = p.events()
p.stop()
check([e for e in evs if e["event"] == "skip" and e["item"] == "p1#1" and
       e.get("reason") == "corrupt"], "a damaged cached file is skipped as corrupt")
check([e for e in evs if e["event"] == "download" and e.get("url") == url1 and
       e["result"] == "ok"], "and downloaded again")
check(ok, "and shown once whole")
check(open(mp, "rb").read() == srv.content["/m/1.png"][0], "the cached copy is whole again")

# ---- 2. ten polls of an unchanged feed ----
p = fs.Player(srv.url("/feed.json"), WORK, CACHE, CONFIG % "1s", args=["--run-for", "60"],
              name="polls")
first = p.wait_for(lambda evs: [e for e in evs if e["event"] == "poll"][:1], 20)
srv.reset_stats()
t_reset = time.time()
ten = p.wait_for(lambda evs: (lambda polls: polls if len(polls) >= 10 else None)(
    [e for e in evs if e["event"] == "poll" and fs.ts_seconds(e) > t_reset + 0.05]), 40)
time.sleep(0.3)
st = srv.stats()
p.stop()
reqs = [r for r in st["requests"] if r["path"] == "/feed.json"]
check(ten and all(e["result"] == "not_modified" for e in ten[:10]),
      "10 polls of the unchanged feed are not_modified")
check(ten and all(r.get("status") == 304 for r in reqs),
      "every feed answer was a 304 (%d requests)" % len(reqs))
check(all(r["path"] == "/feed.json" for r in st["requests"]), "no media downloaded again")
check(not [e for e in p.events("download") if fs.ts_seconds(e) > t_reset],
      "no download events during the polls")
polled = min(len(reqs), 10) or 1
per_sent = st["bytes_sent"] / max(len(reqs), 1)
per_recv = st["bytes_received"] / max(len(reqs), 1)
print("bytes over 10 polls of an unchanged feed: %d sent by the server + %d of requests "
      "= %d (%.0f + %.0f per poll; the feed body is %d bytes)"
      % (per_sent * 10, per_recv * 10, (per_sent + per_recv) * 10, per_sent, per_recv,
         len(fs.feed_json(items))))
check(ten and "if-none-match" in reqs[0]["headers"] if reqs else False,
      "polls are conditional (If-None-Match)")
check(reqs and reqs[0]["headers"].get("user-agent", "").startswith("deskplayer/"),
      "User-Agent deskplayer/<version>")

# ---- 3. offline starts ----
srv.stop()
p = fs.Player(srv.url("/feed.json"), WORK, CACHE, CONFIG % "60s", args=["--run-for", "30"],
              name="offline")
ok = p.wait_for(lambda evs: WANT <= {e["item"] for e in evs if e["event"] == "shown"}, 25)
evs = p.events()
code = p.stop()
check(ok, "offline: every item shown from the cache")
check(code == 0, "offline: exit 0")
polls = [e for e in evs if e["event"] == "poll"]
check(polls and polls[0]["result"] == "error", "offline: the failed poll is in the play log")
check(not [e for e in evs if e["event"] == "skip"], "offline: nothing skipped")

firsts = []
for k in range(5):
    p = fs.Player(srv.url("/feed.json"), WORK, CACHE, CONFIG % "60s",
                  args=["--run-for", "30"], name="offline%d" % k)
    shows = p.wait_for(lambda evs: [e for e in evs if e["event"] == "show"], 15)
    code = p.stop()
    check(shows and code == 0, "offline start %d: an item shown, exit 0" % (k + 1))
    if shows:
        firsts.append(fs.ts_seconds(shows[0]) - p.t0)
limit = 3.0 if fs.asan_build() else 1.0
if firsts:
    med = statistics.median(firsts)
    print("offline start -> first show: median %.3f s of %s" %
          (med, ", ".join("%.3f" % f for f in firsts)))
    check(med <= limit, "first item on screen within %.0f s of start (median %.3f s)%s" %
          (limit, med, " (sanitizer build)" if fs.asan_build() else ""))
else:
    check(False, "offline starts showed something")

if failures:
    print("%d failed; work dir %s" % (len(failures), WORK))
    sys.exit(1)
shutil.rmtree(WORK, ignore_errors=True)
print("all checks passed")
