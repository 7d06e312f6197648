"""Issue 8: video files whose container or stream asks for too much.

A 390 KB H.264 of 15360x8640 (in MP4, and as a raw Annex B stream whose
size is only known by probing) and an MKV carrying a large attachment are
played beside an honest clip. Before the fix they reached 366 MB, 633 MB
and 1.2 GB (200 MB attachment) before being refused or shown; now each is a
`skip` with reason too_large, refused before the work, with a peak memory
measured from outside (wait4). DP_LONG=1 uses the issue's 200 MB attachment.
"""
import os
import subprocess

import dptest
import hostile
from dptest import check

dptest.require_binary()
work = dptest.tempdir("hostile-video")
LONG = os.environ.get("DP_LONG") == "1"
SAN = os.environ.get("DP_SANITIZER") == "1"
MB = 1024
BOUND = (700 if SAN else 250) * MB


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y"] + list(args), check=True)


ffmpeg("-f", "lavfi", "-i", "testsrc=s=320x240:r=25", "-t", "2", "-c:v", "libx264",
       "-preset", "ultrafast", "-pix_fmt", "yuv420p", os.path.join(work, "honest.mp4"))
ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=15360x8640:r=1", "-frames:v", "2", "-c:v",
       "libx264", "-preset", "ultrafast", "-x264-params", "level=6.2",
       os.path.join(work, "huge.mp4"))
ffmpeg("-i", os.path.join(work, "huge.mp4"), "-c", "copy", "-bsf:v", "h264_mp4toannexb",
       "-f", "h264", os.path.join(work, "huge.h264"))
attachment = os.path.join(work, "attachment.bin")
with open(attachment, "wb") as f:
    chunk = os.urandom(1 << 20)
    for _ in range(200 if LONG else 40):
        f.write(chunk)
ffmpeg("-i", os.path.join(work, "honest.mp4"), "-attach", attachment,
       "-metadata:s:t", "mimetype=application/octet-stream", "-c", "copy",
       os.path.join(work, "attached.mkv"))
os.unlink(attachment)

for name, fname, mime in [("mp4-15360x8640", "huge.mp4", "video/mp4"),
                          ("h264-15360x8640", "huge.h264", "video/mp4"),
                          ("mkv-attachment", "attached.mkv", "video/x-matroska")]:
    d = os.path.join(work, name)
    os.makedirs(d)
    os.link(os.path.join(work, fname), os.path.join(d, fname))
    os.link(os.path.join(work, "honest.mp4"), os.path.join(d, "honest.mp4"))
    feed = hostile.image_feed(os.path.join(d, "feed.json"),
                              [("bomb", fname, mime), ("honest", "honest.mp4", "video/mp4")])
    run, rss = hostile.run_measured(feed, d, args=["--run-for", "8"], timeout=240)
    print("%s: %.1f s, %d MB peak" % (name, run.seconds, rss // MB))
    skips = {e["item"]: e["reason"] for e in run.of("skip")}
    check(run.code == 0, "%s: exit 0 (got %s)" % (name, run.code))
    check(skips.get("bomb#1") == "too_large", "%s: skipped as too_large (%s)" % (name, skips))
    check("honest#1" in run.shown_items(), "%s: the honest clip is shown" % name)
    check(rss < BOUND, "%s: peak memory %d MB < %d MB" % (name, rss // MB, BOUND // MB))
# ---- a live stream whose server trickles its playlist forever ---------------------
# The live open waits up to MEDIA_LIVE_OPEN_TIMEOUT_MS (10 s) on the loader
# thread; --run-for 1 must not wait for it (before: exit after ~10.5 s).
import socket  # noqa: E402
import threading  # noqa: E402

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
stop = threading.Event()


def trickle(conn):
    try:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.apple.mpegurl\r\n\r\n"
                     b"#EXTM3U\n")
        while not stop.wait(0.5):
            conn.sendall(b"\n")
    except OSError:
        pass
    conn.close()


def serve():
    listener.settimeout(0.5)
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except OSError:
            continue
        threading.Thread(target=trickle, args=(conn,), daemon=True).start()


threading.Thread(target=serve, daemon=True).start()
d = os.path.join(work, "live-trickle")
os.makedirs(d)
url = "http://127.0.0.1:%d/live.m3u8" % listener.getsockname()[1]
feed = hostile.image_feed(os.path.join(d, "feed.json"),
                          [("live", url, "application/vnd.apple.mpegurl")])
run, _ = hostile.run_measured(feed, d, args=["--run-for", "1"], timeout=120)
stop.set()
listener.close()
print("live-trickle: --run-for 1 ended after %.1f s" % run.seconds)
check(run.code == 0, "live stream trickling: exit 0 (got %s)" % run.code)
check(run.seconds < 6, "live stream trickling: --run-for 1 ends in %.1f s, not after the "
      "10 s live open" % run.seconds)
dptest.finish()
