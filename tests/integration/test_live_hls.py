"""Live streams (issue 11): ffmpeg writes a live HLS stream
(-f hls -hls_flags delete_segments) into a folder the loopback server
serves; a post whose attachment is its playlist plays for its
_signage.duration with frames counted, "live": true in show and shown, and
nothing of it reaches the cache. Then the same feed with the stream gone:
the item is a skip (live_unavailable), the rest plays, and no interval
snapshot is blank. Last, a writer killed mid-play: the stall reconnects
once, then the item ends and the rotation goes on."""
import json
import os
import shutil
import subprocess
import time

import dptest
import faultserver
from dptest import check

dptest.require_binary()
SLOW = faultserver.asan_build() or os.environ.get("DP_SANITIZER") == "1"
work = dptest.tempdir("live")
site = os.path.join(work, "site")
live = os.path.join(site, "live")
os.makedirs(live)
dptest.make_image(os.path.join(site, "red.png"), 320, 180, "red")
LIVE_S = 6


def write_feed(live_duration):
    items = [
        {"id": "img", "image": "red.png", "date_published": "2026-01-01T10:00:00Z",
         "_signage": {"duration": 3}},
        {"id": "speech", "content_text": "the speech, live",
         "date_published": "2026-01-01T09:00:00Z",
         "attachments": [{"url": "live/stream.m3u8",
                          "mime_type": "application/vnd.apple.mpegurl"}],
         "_signage": {"duration": live_duration}},
        {"id": "txt", "content_text": "a text post", "date_published": "2026-01-01T08:00:00Z",
         "_signage": {"duration": 3}},
    ]
    with open(os.path.join(site, "feed.json"), "w") as f:
        json.dump({"version": "https://jsonfeed.org/version/1.1", "title": "live desk",
                   "items": items}, f)


def start_writer():
    """ffmpeg as a live encoder: 640x360 at 30 fps with a tone, 1 s segments."""
    shutil.rmtree(live, ignore_errors=True)
    os.makedirs(live)
    proc = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-c:v", "libx264",
         "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-f", "hls", "-hls_time", "1", "-hls_list_size", "5",
         "-hls_flags", "delete_segments", os.path.join(live, "stream.m3u8")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    playlist = os.path.join(live, "stream.m3u8")
    for _ in range(150):
        if os.path.exists(playlist) and open(playlist).read().count("#EXTINF") >= 3:
            return proc
        time.sleep(0.1)
    proc.kill()
    print("ffmpeg could not write a live HLS stream (libx264?); skipping")
    raise SystemExit(dptest.SKIP)


def blank_snapshots(run):
    """Interval snapshots (tNNNNNNNN.png) that are black all over."""
    names = sorted(n for n in os.listdir(run.snapdir) if n.startswith("t"))
    blank = []
    for n in names:
        img = dptest.read_png(os.path.join(run.snapdir, n))
        if img.fraction(lambda px: dptest.near(px, (0, 0, 0), 24), step=6) > 0.995:
            blank.append(n)
    return names, blank


srv = dptest.FileServer(site)
feed = srv.url("feed.json")
conf = dptest.write_config(os.path.join(work, "p.conf"),
                           "[display]\ntransition_time = 200ms\n")

# 1. The stream is live: it plays for its duration.
writer = start_writer()
write_feed(LIVE_S)
run = dptest.run_player(feed, work, config=conf, size="320x180",
                        args=["--run-for", "24", "--snapshot-interval", "500"])
shows = [e for e in run.of("show") if e["post"] == "speech"]
shown = [e for e in run.of("shown") if e["item"] == "speech#1"]
check(run.code == 0, "exit 0")
check(shows and shows[0].get("live") is True and shows[0]["kind"] == "video",
      "the live item is shown as a video with \"live\": true")
check(shown and all(e.get("live") is True for e in shown), "shown carries \"live\": true")
if shown:
    e = shown[0]
    print("live shown:", e)
    check(LIVE_S * 1000 - 500 <= e["elapsed_ms"] <= LIVE_S * 1000 + 2500,
          "it plays for its _signage.duration (%d ms)" % e["elapsed_ms"])
    least = 20 if SLOW else LIVE_S * 30 // 2
    check(e.get("frames", 0) >= least, "frames counted: %d (>= %d)" % (e.get("frames", 0), least))
check({"img#1", "txt"} <= set(run.shown_items()), "the other items play around it")
check(not [e for e in run.of("download") if "m3u8" in e.get("url", "") or
           ".ts" in e.get("url", "")], "the stream is never downloaded")
cached = []
for root, _, files in os.walk(os.path.join(work, "cache")):
    cached += files
check(not [f for f in cached if f.endswith(".ts")], "nothing of the stream in the cache")
snap = run.snapshot("speech#1")
check(snap is not None and len(snap.distinct_colours(8)) > 8,
      "the live picture is on screen (a test pattern, many colours)")
names, blank = blank_snapshots(run)
check(names and not blank, "no blank interval snapshot while live (%d taken)" % len(names))

# 1b. [playback] live_max_duration caps the turn below _signage.duration.
capconf = dptest.write_config(os.path.join(work, "cap.conf"),
                              "[display]\ntransition_time = 200ms\n"
                              "[playback]\nlive_max_duration = 2s\n")
run = dptest.run_player(feed, work, config=capconf, size="320x180", args=["--run-for", "14"])
shown = [e for e in run.of("shown") if e["item"] == "speech#1"]
check(shown and all(e["elapsed_ms"] <= 3500 for e in shown),
      "live_max_duration = 2s cuts the 6 s turn: %s" % [e["elapsed_ms"] for e in shown])

# 2. The stream is gone: skipped, the rest plays, never a blank frame.
writer.kill()
writer.wait()
shutil.rmtree(live)
run = dptest.run_player(feed, work, config=conf, size="320x180",
                        args=["--run-for", "14", "--snapshot-interval", "250"])
check(run.code == 0, "exit 0 with the stream gone")
skips = [e for e in run.of("skip") if e["item"] == "speech#1"]
check(skips and skips[0]["reason"] == "live_unavailable", "the live item is a skip: %s" %
      (skips[0]["reason"] if skips else None))
check(not [e for e in run.of("show") if e["post"] == "speech"], "the dead stream never shows")
check(run.shown_items().count("img#1") >= 2 and run.shown_items().count("txt") >= 1,
      "the rest plays: %s" % run.shown_items())
names, blank = blank_snapshots(run)
check(len(names) >= 20 and not blank,
      "no blank frame in %d interval snapshots (%d blank)" % (len(names), len(blank)))

# 3. The writer dies mid-play: one reconnection, then the item ends.
writer = start_writer()
write_feed(120)
p = faultserver.Player(feed, work, os.path.join(work, "cache3"),
                       "[display]\ntransition_time = 200ms\n", args=["--run-for", "90"],
                       name="stall")
ev = p.wait_for(lambda ev: [e for e in ev if e.get("event") == "show" and
                            e["post"] == "speech"], 30)
check(ev is not None, "the live item starts")
time.sleep(2)
writer.kill()
writer.wait()
t = time.time()
end = p.wait_for(lambda ev: [e for e in ev if e.get("event") == "shown" and
                             e["item"] == "speech#1"], 60)
took = faultserver.ts_seconds(end[0]) - t if end else None
print("writer killed -> the item ends after (s):", took)
check(took is not None and took < 40, "a stalled stream ends its item (120 s planned)")
check("reconnecting once" in p.stderr_tail(20000), "the stall was given one reconnection")
after = p.wait_for(lambda ev: [e for e in ev if e.get("event") == "show" and
                               e["post"] != "speech" and end and
                               faultserver.ts_seconds(e) > faultserver.ts_seconds(end[0]) - 1],
                   15)
check(after is not None, "the rotation goes on after the stream died")
check(p.stop() == 0, "exit 0")
srv.stop()
dptest.finish()
