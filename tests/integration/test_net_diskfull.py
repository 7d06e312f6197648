"""Issue 3: a disk that fills stops downloads, never playback.

The cache lives on a 3 MB tmpfs (root only: skipped otherwise). Three small
images are cached and playing; then the feed gains four large ones that do
not all fit. The download that hits ENOSPC fails with an error, downloads
pause (no new requests for a while), the cached items go on being shown,
and what remains on disk is sound: every indexed file matches its size and
SHA-256, and no temp bytes or broken parts are left.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultserver as fs  # noqa: E402

fs.require_binary()
if os.geteuid() != 0:
    print("not root: cannot mount a small tmpfs; skipping")
    sys.exit(fs.SKIP)
WORK = tempfile.mkdtemp(prefix="dp-net-diskfull-")
CACHE = os.path.join(WORK, "cache")
os.makedirs(CACHE)
r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", CACHE],
                   stderr=subprocess.PIPE)
if r.returncode != 0:
    print("cannot mount a tmpfs (%s); skipping" % r.stderr.decode().strip())
    shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(fs.SKIP)

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


srv = fs.FaultServer().start()
try:
    small = []
    for i, c in enumerate(["red", "lime", "blue"]):
        srv.put("/s%d.png" % i, fs.make_png(os.path.join(WORK, "s%d.png" % i), 200, 150, c),
                "image/png")
        small.append(("s%d" % i, "s%d.png" % i, 10 + i))
    big = []
    for i in range(4):
        data = fs.make_png(os.path.join(WORK, "b%d.png" % i), 700, 700, noise=True)
        srv.put("/b%d.png" % i, data, "image/png")
        big.append(("b%d" % i, "b%d.png" % i, 1 + i))
    big_size = len(data)
    srv.put("/feed.json", fs.feed_json(small), "application/feed+json")
    config = """[feed]
poll_interval = 2s
[playback]
image_duration = 300ms
[display]
transition = cut
[status]
listen =
"""
    p = fs.Player(srv.url("/feed.json"), WORK, CACHE, config, args=["--run-for", "90"],
                  name="diskfull")
    try:
        ok = p.wait_for(lambda evs: len([e for e in evs if e["event"] == "download" and
                                         e["result"] == "ok"]) >= 3 and
                        [e for e in evs if e["event"] == "show"], 30)
        check(ok, "small images cached and shown")
        srv.put("/feed.json", fs.feed_json(big + small), "application/feed+json")
        t_big = time.time()
        full = p.wait_for(lambda evs: [e for e in evs if e["event"] == "download" and
                                       e["result"] == "error" and
                                       "space" in e.get("error", "")], 30)
        check(full, "a download fails with ENOSPC (%s)" % (full and full[0].get("error")))
        if full:
            t_full = fs.ts_seconds(full[0])
            n_req = len(srv.stats()["requests"])
            time.sleep(6)
            later = [r for r in srv.stats()["requests"][n_req:] if r["path"] != "/feed.json"]
            check(not later, "downloads stop after the disk filled (%d media requests in 6 s)"
                  % len(later))
            shows = [e for e in p.events("show") if fs.ts_seconds(e) > t_full]
            check(len(shows) >= 3, "playback goes on (%d shows in the 6 s after)" % len(shows))
            items = {e["item"] for e in shows}
            check(items & {"s0#1", "s1#1", "s2#1"}, "the cached items are still shown")
        bad = [e for e in p.events("skip") if e.get("reason") != "not_cached"]
        check(not bad, "nothing skipped as broken %s" % bad[:2])
        check(p.proc.poll() is None, "the player is still running")
    finally:
        code = p.stop()
    check(code == 0, "exit 0 on SIGTERM (%s)" % code)
    problems, urls = fs.check_cache(CACHE)
    check(not problems, "cache sound after the disk filled %s" % problems[:3])
    check(fs.temp_bytes(CACHE) == 0, "no temp bytes left")
    print("cached files: %d, biggest download %d bytes, disk 3 MB" % (len(urls), big_size))
    p2 = fs.Player(srv.url("/feed.json"), WORK, CACHE, config, args=["--run-for", "30"],
                   name="after")
    ok = p2.wait_for(lambda evs: len([e for e in evs if e["event"] == "shown"]) >= 3, 20)
    bad = [e for e in p2.events("skip") if e.get("reason") != "not_cached"]
    p2.stop()
    check(ok and not bad, "a restart on the full disk plays the cache")
finally:
    srv.stop()
    subprocess.run(["umount", "-l", CACHE])

if failures:
    print("%d failed; work dir %s" % (len(failures), WORK))
    sys.exit(1)
shutil.rmtree(WORK, ignore_errors=True)
print("all checks passed")
