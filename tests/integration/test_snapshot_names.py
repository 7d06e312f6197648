"""The snapshot writer never names a file it did not write: with a fast
--snapshot-interval during a slideshow, every per-item snapshot that a show
event names is on disk and is a picture of that item (they were dropped when
the writer fell behind), and the interval ones come as often as the writer
keeps up (skipped ones are simply not written; no event names them)."""
import os

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("snapnames")
site = os.path.join(work, "site")
os.makedirs(site)
colours = {"red": (255, 0, 0), "lime": (0, 255, 0), "blue": (0, 0, 255)}
for c in colours:
    # noise, so that each PNG takes the writer some time
    dptest.make_image(os.path.join(site, c + ".png"), 1280, 720, c,
                      ["-vf", "noise=alls=60:allf=t"])
feed = os.path.join(site, "feed.json")
with open(feed, "w") as f:
    f.write('{"version": "https://jsonfeed.org/version/1.1", "items": [%s]}' % ",".join(
        '{"id": "%s", "image": "%s.png", "date_published": "2026-01-0%dT00:00:00Z"}'
        % (c, c, 3 - i) for i, c in enumerate(colours)))
conf = dptest.write_config(os.path.join(work, "fast.conf"), """
[playback]
image_duration = 1s
[display]
transition = cut
""")
run = dptest.run_player(feed, work, conf, ["--run-for", "15", "--snapshot-interval", "30"],
                        size="1280x720")
check(run.code == 0, "exits 0")
shows = run.of("show")
check(len(shows) >= 8, "a slideshow (%d items)" % len(shows))
files = set(os.listdir(run.snapdir)) if os.path.isdir(run.snapdir) else set()
named = [e for e in shows if "snapshot" in e]
check(len(named) == len(shows), "every show event names its snapshot (%d of %d)"
      % (len(named), len(shows)))
missing = [e["snapshot"] for e in named if e["snapshot"] not in files]
check(not missing, "every named snapshot was written (%d missing: %s)"
      % (len(missing), missing[:5]))
wrong = []
for e in named:
    if e["snapshot"] in files:
        img = dptest.read_png(os.path.join(run.snapdir, e["snapshot"]))
        want = colours[e["item"].split("#")[0]]
        if img.fraction(lambda p: dptest.near(p[:3], want, 90)) < 0.5:
            wrong.append(e["snapshot"])
check(not wrong, "each named snapshot shows its item (%s)" % wrong[:5])
interval = [f for f in files if f.startswith("t") and f.endswith(".png")]
check(interval, "interval snapshots are written too (%d in 15 s)" % len(interval))
check(not [f for f in files if f.startswith(".")], "no temporary files are left")
print("interval snapshots: %d in %.0f s" % (len(interval), run.seconds))
dptest.finish()
