"""Issue 8: operator mistakes and planted files in folder feeds.

A FIFO or a device as FEED is a `poll` error, never a hang (before: a FIFO
hung past --run-for until SIGKILL). A folder feed takes regular files only:
a symlink that leads out of the folder is ignored unless
`[feed] follow_symlinks = true` (before: pictures were followed anywhere),
a link inside the folder is kept, a FIFO named like a picture or a text
file is skipped without hanging.
"""
import os

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("hostile-files")

# ---- FEED is a FIFO or a device ---------------------------------------------------
fifo = os.path.join(work, "feed.json")
os.mkfifo(fifo)
for name, feed in [("fifo", fifo), ("device", "/dev/zero")]:
    d = os.path.join(work, name)
    os.makedirs(d)
    run = dptest.run_player(feed, d, args=["--run-for", "3"], timeout=60, snapshots=False)
    polls = run.of("poll")
    check(run.code == 0 and run.seconds < 3 + 20,
          "%s as FEED: exit %s in %.1f s" % (name, run.code, run.seconds))
    check(polls and polls[0].get("result") == "error",
          "%s as FEED: a poll error (%s)" % (name, polls[:1]))

# ---- a folder feed with links and a FIFO ------------------------------------------
outside = os.path.join(work, "outside")
os.makedirs(outside)
dptest.make_image(os.path.join(outside, "secret.png"), 64, 64, "red")
with open(os.path.join(outside, "secret.txt"), "w") as f:
    f.write("outside text")
folder = os.path.join(work, "folder")
os.makedirs(folder)
dptest.make_image(os.path.join(folder, "a-own.png"), 64, 64, "blue")
os.symlink(os.path.join(outside, "secret.png"), os.path.join(folder, "b-out.png"))
os.symlink(os.path.join(outside, "secret.txt"), os.path.join(folder, "b-out.txt"))
os.symlink("a-own.png", os.path.join(folder, "c-in.png"))
os.mkfifo(os.path.join(folder, "d-fifo.png"))
os.mkfifo(os.path.join(folder, "d-fifo.txt"))


FAST = "[playback]\nimage_duration = 1500ms\ntext_duration = 1500ms\n"


def posts_of(run):
    return sorted({e["post"] for e in run.of("show")})


for follow in (False, True):
    d = os.path.join(work, "follow-%s" % follow)
    os.makedirs(d)
    conf = dptest.write_config(os.path.join(d, "c.conf"),
                               "[feed]\nfollow_symlinks = %s\n%s"
                               % ("true" if follow else "false", FAST))
    run = dptest.run_player(folder, d, config=conf, args=["--cycles", "1", "--run-for", "40"],
                            timeout=120, snapshots=False)
    posts = posts_of(run)
    check(run.code == 0, "folder, follow_symlinks=%s: exit 0 (%s)" % (follow, run.code))
    check("a-own.png" in posts and "c-in.png" in posts,
          "follow_symlinks=%s: own file and link inside the folder shown (%s)" % (follow, posts))
    out = {"b-out.png", "b-out.txt"} & set(posts)
    check(bool(out) == follow and (not follow or len(out) == 2),
          "follow_symlinks=%s: links out of the folder %s (%s)"
          % (follow, "followed" if follow else "ignored", posts))
    check(not any(p.startswith("d-fifo") for p in posts), "FIFOs in the folder skipped")
# ---- the cache's own folders planted as symlinks (a cache in /tmp) ---------------
# The links are replaced by real folders; the folder they point at is not
# emptied (before: the walk at open followed media/ and removed "theirs" as a
# leftover) and nothing is downloaded into it.
import json  # noqa: E402
site = os.path.join(work, "site")
os.makedirs(site)
dptest.make_image(os.path.join(site, "pic.png"), 320, 180, "blue")
srv = dptest.FileServer(site)
with open(os.path.join(site, "feed.json"), "w") as f:
    json.dump({"version": "https://jsonfeed.org/version/1.1", "title": "t",
               "items": [{"id": "p1", "image": srv.url("pic.png")}]}, f)
d = os.path.join(work, "cache-links")
planted = os.path.join(work, "planted")
os.makedirs(os.path.join(d, "cache"))
os.makedirs(planted)
with open(os.path.join(planted, "theirs"), "w") as f:
    f.write("x")
for sub in ("media", "index", "feeds"):
    os.symlink(planted, os.path.join(d, "cache", sub))
conf = dptest.write_config(os.path.join(d, "c.conf"), FAST)
run = dptest.run_player(srv.url("feed.json"), d, config=conf,
                        args=["--cycles", "2", "--run-for", "40"], timeout=120, snapshots=False)
srv.stop()
check(run.code == 0 and "p1" in posts_of(run),
      "cache folders planted as links: the picture is shown (exit %s, %s)"
      % (run.code, posts_of(run)))
check(sorted(os.listdir(planted)) == ["theirs"],
      "the folder the links pointed at is untouched (%s)" % sorted(os.listdir(planted)))
media = os.path.join(d, "cache", "media")
check(not os.path.islink(media) and os.path.isdir(media) and len(os.listdir(media)) == 1,
      "media/ is the cache's own folder, holding the picture")

# ---- a cache dir that cannot be made: exit 1, nothing leaked (under ASan a
# leak report changes the exit code; feed_url leaked on this path) --------------
import subprocess  # noqa: E402
blocker = os.path.join(work, "not-a-dir")
with open(blocker, "w") as f:
    f.write("x")
r = subprocess.run([dptest.BIN, "--headless", "--cache-dir", os.path.join(blocker, "cache"),
                    "--run-for", "1", os.path.join(folder, "a-own.png")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60,
                   env=dict(os.environ, SDL_AUDIODRIVER="dummy"))
err = r.stderr.decode("utf-8", "replace")
check(r.returncode == 1 and "LeakSanitizer" not in err,
      "unusable cache dir: exit 1 without a leak (%s)" % r.returncode)
dptest.finish()
