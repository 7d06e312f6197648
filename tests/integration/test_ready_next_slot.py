"""Issue 10: a newest post that becomes playable takes the next slot.

On a cold start the newest post's picture downloads slowly; the older
posts' pictures are there at once and play meanwhile. Before, the newest
post was passed over and came back only after a whole rotation (a 4-post
feed showed it 26 s in); now, once its media is verified, it is shown
next, and the rotation then goes on where it was.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dptest  # noqa: E402
import faultserver as fs  # noqa: E402
from dptest import check  # noqa: E402

fs.require_binary()
WORK = tempfile.mkdtemp(prefix="dp-ready-")

srv = fs.FaultServer().start()
posts = [("N", "/m/n.png", 1)]
big = fs.make_png(os.path.join(WORK, "n.png"), 400, 300, noise=True)
srv.put("/m/n.png", big, "image/png")
srv.set_mode("/m/n.png", "slow")
srv.set_rate(max(len(big) // 3, 1))           # about 3 s for the newest picture
for i, c in enumerate(["red", "lime", "blue", "yellow", "white"]):
    name = "/m/%d.png" % i
    srv.put(name, fs.make_png(os.path.join(WORK, "%d.png" % i), 160, 120, c), "image/png")
    posts.append(("P%d" % i, name, 2 + i))
srv.put("/feed.json", fs.feed_json([(p, srv.url(m), h) for p, m, h in posts]),
        "application/feed+json")

conf = "[display]\ntransition = cut\n[playback]\nimage_duration = 2s\n"
pl = fs.Player(srv.url("/feed.json"), WORK, os.path.join(WORK, "cache"), conf)
shows = pl.wait_for(lambda ev: [e for e in ev if e.get("event") == "show"][:8]
                    if len([e for e in ev if e.get("event") == "show"]) >= 8 else None, 90)
pl.stop()
srv.stop()
shown = [e["post"] for e in (shows or [])]
print("shown: %s" % " ".join(shown))
# While it is the only picture ready, the first one may be shown again.
order = [p for i, p in enumerate(shown) if i == 0 or p != shown[i - 1]]
check(len(shown) >= 8, "eight items shown")
if "N" in order:
    at = order.index("N")
    # Downloaded ~3 s in, with 2 s slots: the second to fourth slot, not
    # the sixth (after P0..P4, a whole rotation).
    check(1 <= at <= 3, "the newest post takes the next slot once ready (slot %d)" % at)
    olds = [p for p in order if p != "N"]
    check(olds[:5] == ["P0", "P1", "P2", "P3", "P4"][:len(olds[:5])],
          "the rotation goes on where it was: %s" % olds)
else:
    check(False, "the newest post is shown")
dptest.finish()
