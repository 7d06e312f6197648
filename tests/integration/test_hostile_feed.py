"""Issue 8: a feed's size never stalls the drawing thread.

4,000 pinned posts with 20 attachments each (hostile.pinned_feed): before
the fix the wanted-media list was built with a nested loop on the main
thread (frozen 33 s, --run-for 10 ended after 57 s, SIGTERM took 32 s) and
pinned posts escaped both the post cap and max_items. Now the poll keeps
at most DP_MAX_POSTS (1000) posts, --run-for and SIGTERM end on time, and
the standby card is drawn meanwhile. DP_LONG=1 adds a feed near the 10 MB
cap (about 6,500 posts).
"""
import os

import dptest
import hostile
from dptest import check

dptest.require_binary()
work = dptest.tempdir("hostile-feed")
LONG = os.environ.get("DP_LONG") == "1"

sizes = [4000] + ([6500] if LONG else [])
for posts in sizes:
    d = os.path.join(work, "feed-%d" % posts)
    os.makedirs(d)
    feed = hostile.pinned_feed(os.path.join(d, "feed.json"), posts)
    run, rss = hostile.run_measured(feed, d, args=["--run-for", "6"], timeout=200)
    polls = run.of("poll")
    print("%d posts: %.1f s, %d MB peak, polls %s" % (posts, run.seconds, rss // 1024,
                                                       [(e.get("result"), e.get("items"))
                                                        for e in polls]))
    check(run.code == 0, "%d posts: exit 0 (got %s)" % (posts, run.code))
    check(run.seconds < 6 + 15, "%d posts: --run-for 6 ends in %.1f s" % (posts, run.seconds))
    check(polls and polls[0].get("result") == "updated", "%d posts: the feed is taken" % posts)
    check(all(e.get("items", 0) <= 1000 for e in polls),
          "%d posts: pinned posts count against the 1000-post cap" % posts)

# SIGTERM while the feed is being taken in: the player stops on time.
d = os.path.join(work, "sigterm")
os.makedirs(d)
feed = hostile.pinned_feed(os.path.join(d, "feed.json"), 4000)
code, took = hostile.sigterm_after_poll(feed, d, delay=0.5, size="320x200", timeout=60)
check(code == 0 and took < 10, "SIGTERM after the poll: exit %s in %.1f s" % (code, took))
dptest.finish()
