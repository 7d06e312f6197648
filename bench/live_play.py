#!/usr/bin/env python3
"""Benchmark (issue 11): live streams.
1. Live item due -> its first frame: a text item (3 s) then the live item,
   transition = cut, so the switch is the moment the live item was due:
   show(live).ts - shown(text).ts (pre-rolled), over ROUNDS switches; and a
   cold start with the live item alone: poll -> show.
2. CPU playing a 720p30 live stream (H.264 + AAC, 1 s HLS segments from
   ffmpeg on loopback) beside the same encoding as a cached file, both
   headless at 1280x720 for 20 s, and ffmpeg decoding the live stream
   (-f null) as the reference. CPU = user + system of the player process.
Usage: live_play.py [build/deskplayer]"""
import json
import os
import shutil
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "integration"))
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/deskplayer")
os.environ["DP_BIN"] = BIN
import dptest       # noqa: E402
import faultserver  # noqa: E402

SECONDS = 20
work = dptest.tempdir("bench-live")
site = os.path.join(work, "site")
live = os.path.join(site, "live")
os.makedirs(live)
ENC = ["-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p",
       "-c:a", "aac", "-b:v", "3M"]
SRC = ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i",
       "sine=frequency=440:sample_rate=48000"]
writer = subprocess.Popen(["ffmpeg", "-v", "error", "-re"] + SRC + ENC +
                          ["-f", "hls", "-hls_time", "1", "-hls_list_size", "6", "-hls_flags",
                           "delete_segments", os.path.join(live, "stream.m3u8")])
subprocess.run(["ffmpeg", "-v", "error", "-y"] + SRC + ["-t", str(SECONDS + 5)] + ENC +
               [os.path.join(site, "file.mp4")], check=True)
while not os.path.exists(os.path.join(live, "stream.m3u8")) or \
        open(os.path.join(live, "stream.m3u8")).read().count("EXTINF") < 4:
    time.sleep(0.2)
srv = dptest.FileServer(site)


def feed(name, items):
    with open(os.path.join(site, name), "w") as f:
        json.dump({"version": "https://jsonfeed.org/version/1.1", "items": items}, f)
    return srv.url(name)


LIVE = {"url": "live/stream.m3u8", "mime_type": "application/vnd.apple.mpegurl"}
FILE = {"url": "file.mp4", "mime_type": "video/mp4"}
conf = dptest.write_config(os.path.join(work, "c.conf"), "[display]\ntransition = cut\n")


def play(url, seconds, size="1280x720", log="p.log"):
    """Runs the player; returns (cpu seconds, events)."""
    logp = os.path.join(work, log)
    if os.path.exists(logp):
        os.unlink(logp)
    env = dict(os.environ, SDL_AUDIODRIVER="dummy")
    p = subprocess.Popen([BIN, "--headless", "--size", size, "-c", conf, "--cache-dir",
                          os.path.join(work, "cache"), "--play-log", logp, "--run-for",
                          str(seconds), url], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    _, _, ru = os.wait4(p.pid, 0)
    return ru.ru_utime + ru.ru_stime, dptest.read_log(logp)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else float("nan")


# 1. Due -> first frame.
url = feed("switch.json", [
    {"id": "t", "content_text": "before the stream", "date_published": "2026-01-01T10:00:00Z",
     "_signage": {"duration": 3}},
    {"id": "s", "content_text": "", "attachments": [LIVE],
     "date_published": "2026-01-01T09:00:00Z", "_signage": {"duration": 3}}])
_, ev = play(url, 40, size="640x360")
gaps = []
for i, e in enumerate(ev):
    if e.get("event") == "show" and e["post"] == "s":
        prev = [x for x in ev[:i] if x.get("event") == "shown"]
        if prev:
            gaps.append(faultserver.ts_seconds(e) - faultserver.ts_seconds(prev[-1]))
print("live item due -> first frame, pre-rolled (%d switches): median %.0f ms, max %.0f ms" %
      (len(gaps), 1000 * median(gaps), 1000 * max(gaps) if gaps else float("nan")))
url = feed("cold.json", [{"id": "s", "content_text": "", "attachments": [LIVE],
                          "_signage": {"duration": 3}}])
cold = []
for r in range(3):
    shutil.rmtree(os.path.join(work, "cache"), ignore_errors=True)
    _, ev = play(url, 5, size="640x360")
    poll = [e for e in ev if e.get("event") == "poll"]
    show = [e for e in ev if e.get("event") == "show"]
    if poll and show:
        cold.append(faultserver.ts_seconds(show[0]) - faultserver.ts_seconds(poll[0]))
print("live item, cold (open + probe + first frame, nothing before it): median %.0f ms" %
      (1000 * median(cold)))

# 2. CPU: live beside file, and ffmpeg's own decode of the live stream.
lurl = feed("live.json", [{"id": "s", "content_text": "", "attachments": [LIVE],
                           "_signage": {"duration": SECONDS + 5}}])
furl = feed("file.json", [{"id": "f", "content_text": "", "attachments": [FILE],
                           "_signage": {"duration": SECONDS + 5}}])
play(furl, 4)   # caches the file
cpu_live, ev_live = play(lurl, SECONDS)
cpu_file, ev_file = play(furl, SECONDS)
t0 = time.monotonic()
ref = subprocess.Popen(["ffmpeg", "-v", "error", "-i", srv.url("live/stream.m3u8"), "-t",
                        str(SECONDS), "-f", "null", "-"])
_, _, ru = os.wait4(ref.pid, 0)
cpu_ref = ru.ru_utime + ru.ru_stime


def frames(ev):
    sh = [e for e in ev if e.get("event") == "shown" and "frames" in e]
    return sh[0]["frames"] if sh else "?"


print("CPU over %d s at 1280x720 (headless, software renderer):" % SECONDS)
print("  deskplayer, live HLS 720p30: %.2f s (%.0f%% of a core), frames %s" %
      (cpu_live, 100 * cpu_live / SECONDS, frames(ev_live)))
print("  deskplayer, same as a file:  %.2f s (%.0f%% of a core), frames %s" %
      (cpu_file, 100 * cpu_file / SECONDS, frames(ev_file)))
print("  ffmpeg -i <live> -f null:    %.2f s (decode only, reference)" % cpu_ref)
print("  ratio live / file: %.2f" % (cpu_live / cpu_file))
writer.kill()
writer.wait()
srv.stop()
shutil.rmtree(work, ignore_errors=True)
