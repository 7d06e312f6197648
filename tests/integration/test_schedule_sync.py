"""[schedule] on_hours (outside them the screen is black and nothing is
shown) and [playback] sync = wallclock (two screens started apart show the
same item at the same time, without talking to each other)."""
import datetime
import json
import os
import subprocess
import time

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("sched")
site = os.path.join(work, "site")
os.makedirs(site)
colours = ["red", "lime", "blue"]
for c in colours:
    dptest.make_image(os.path.join(site, c + ".png"), 320, 240, c)
with open(os.path.join(site, "feed.json"), "w") as f:
    json.dump({"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": c, "image": c + ".png", "date_published": "2026-01-0%dT00:00:00Z" % (3 - i)}
        for i, c in enumerate(colours)]}, f)
feed = os.path.join(site, "feed.json")

# ---- closed: only the day after tomorrow is open -------------------------------
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
open_day = days[(datetime.datetime.now().weekday() + 2) % 7]
closed = dptest.write_config(os.path.join(work, "closed.conf"),
                             "[schedule]\non_hours = %s 00:00-24:00\n" % open_day)
run = dptest.run_player(feed, work, closed, ["--run-for", "3", "--snapshot-interval", "700"],
                        size="320x240")
check(run.code == 0, "closed: exits 0")
check(not run.of("show"), "closed: nothing is shown outside the opening hours")
shots = sorted(f for f in os.listdir(run.snapdir)) if os.path.isdir(run.snapdir) else []
check(shots and all(dptest.read_png(os.path.join(run.snapdir, f)).fraction(
    lambda p: sum(p) < 10) > 0.99 for f in shots), "closed: the screen is black (%d frames)"
      % len(shots))
everyday = dptest.write_config(os.path.join(work, "open.conf"),
                               "[schedule]\non_hours = daily 00:00-24:00\n"
                               "[playback]\nimage_duration = 1s\n")
run = dptest.run_player(feed, work, everyday, ["--cycles", "1"], size="320x240")
check(run.shown_items() == ["red#1", "lime#1", "blue#1"], "open: the rotation plays")

# ---- two synchronised screens ------------------------------------------------------
synced = dptest.write_config(os.path.join(work, "sync.conf"), """
[playback]
sync = wallclock
image_duration = 2s
[display]
transition = cut
""")
env = dict(os.environ, SDL_AUDIODRIVER="dummy")
env.pop("DESKPLAYER_CONFIG", None)
procs = []
for k in range(2):
    d = os.path.join(work, "screen%d" % k)
    os.makedirs(d)
    procs.append(subprocess.Popen(
        [dptest.BIN, "--headless", "--size", "320x240", "-c", synced, "--cache-dir",
         os.path.join(d, "cache"), "--play-log", os.path.join(d, "log"), "--run-for",
         str(9 - 1.3 * k), feed], stderr=subprocess.DEVNULL, env=env))
    time.sleep(1.3)
for p in procs:
    p.wait(timeout=60)


def timeline(k):
    events = dptest.read_log(os.path.join(work, "screen%d" % k, "log"))

    def t(e):
        return datetime.datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).timestamp()
    return [(t(e), e["item"]) for e in events if e["event"] == "show"]


def showing(tl, when):
    cur = None
    for ts, item in tl:
        if ts <= when:
            cur = item
    return cur


a, b = timeline(0), timeline(1)
check(len(a) >= 3 and len(b) >= 2, "both screens show items (%d, %d)" % (len(a), len(b)))
# The slots are 2 s long and start on multiples of 2 s since the epoch:
# sample the middle of every slot both screens lived through (a switch
# itself may land a little late on a loaded machine).
start = max(a[0][0], b[0][0])
end = min(a[-1][0], b[-1][0]) + 2.0
agree = total = 0
t = (int(start // 2.0) + 1) * 2.0 + 1.0
while t < end:
    total += 1
    agree += showing(a, t) == showing(b, t)
    t += 2.0
check(total >= 2 and agree == total, "the screens agree at %d of %d instants" % (agree, total))
for ts, item in a[1:]:
    slot = ts % 6.0
    check(min(slot % 2.0, 2.0 - slot % 2.0) < 0.5,
          "%s starts on its 2 s slot boundary (%.3f s into the slot)" % (item, slot % 2.0))
    expected = ["red#1", "lime#1", "blue#1"][int(((ts + 0.3) % 6.0) // 2.0)]
    check(item == expected, "%s is the item of its slot on the epoch timeline" % item)
dptest.finish()
