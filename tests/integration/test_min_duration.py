"""The minimum item time (issue 8): an item is on screen at least 1 s after
its transition, so transition_time + 1 s with fade and 1 s with cut (it was
transition_time + 1 s with cut too). Judged from the show events' planned
duration_ms, in plain and synchronised rotation."""
import os

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("mindur")
site = os.path.join(work, "site")
os.makedirs(site)
for c in ("red", "blue"):
    dptest.make_image(os.path.join(site, c + ".png"), 160, 120, c)
feed = os.path.join(site, "feed.json")
with open(feed, "w") as f:
    f.write('{"version": "https://jsonfeed.org/version/1.1", "items": ['
            '{"id": "red", "image": "red.png", "date_published": "2026-01-02T00:00:00Z"},'
            '{"id": "blue", "image": "blue.png", "date_published": "2026-01-01T00:00:00Z"}]}')

for transition, sync, want in (("cut", "none", 1000), ("fade", "none", 1700),
                               ("cut", "wallclock", 1000), ("fade", "wallclock", 1700)):
    conf = dptest.write_config(os.path.join(work, "%s-%s.conf" % (transition, sync)), """
[playback]
image_duration = 200ms
sync = %s
[display]
transition = %s
transition_time = 700ms
""" % (sync, transition))
    run = dptest.run_player(feed, work, conf, ["--run-for", "6"], size="160x120",
                            snapshots=False)
    shows = run.of("show")
    check(run.code == 0 and len(shows) >= 3, "%s/%s: items are shown (%d)"
          % (transition, sync, len(shows)))
    # The first item of a synchronised screen joins a slot already running.
    planned = [e["duration_ms"] for e in shows[1:-1]]
    check(planned and all(abs(d - want) <= 20 for d in planned),
          "%s/%s: each item is planned for %d ms (%s)" % (transition, sync, want, planned))
dptest.finish()
