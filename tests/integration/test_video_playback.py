"""Issue 4 end to end: video posts in a JSON Feed over loopback HTTP, played
headless with SDL's dummy audio driver.

Judges the play log (image -> video -> video -> image shown in order; a
video's `shown` event carries frames and dropped, with the clip's frame
count; an audio-only file, a truncated MP4 are skipped), the snapshot of a
portrait phone clip (upright: its display matrix is honoured) and the
snapshots taken every 100 ms through the fades, none of which is all black.
"""
import datetime
import os
import subprocess

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("video")
site = os.path.join(work, "site")
os.makedirs(site)


def ff(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-v", "error", "-y"] + list(args), check=True)


def src(w, h, secs, extra=""):
    return ["-f", "lavfi", "-i", "testsrc2=size=%dx%d:rate=30:duration=%s%s" % (w, h, secs, extra)]


# ---- the media ------------------------------------------------------------------
dptest.make_image(os.path.join(site, "red.png"), 640, 360, "red")
dptest.make_image(os.path.join(site, "yellow.png"), 640, 360, "yellow")
# 2 s of testsrc2 with a 440 Hz tone.
ff(*src(320, 240, 2), "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
   "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
   os.path.join(site, "av.mp4"))
# A phone clip: an upright portrait picture (blue, red band on top) stored
# turned a quarter counter-clockwise, with a display matrix that turns it
# back (FFmpeg 5.1 writes the matrix from the rotate tag when remuxing).
ff("-f", "lavfi", "-i",
   "color=c=blue:size=240x320:rate=30:duration=1,"
   "drawbox=x=0:y=0:w=240:h=60:color=red:t=fill,transpose=cclock",
   "-c:v", "libx264", "-pix_fmt", "yuv420p", os.path.join(work, "coded.mp4"))
ff("-i", os.path.join(work, "coded.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=270",
   os.path.join(site, "phone.mp4"))
ff("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", os.path.join(site, "sound.mp4"))
ff(*src(320, 240, 2), "-c:v", "libx264", os.path.join(work, "whole.mp4"))
with open(os.path.join(work, "whole.mp4"), "rb") as f:
    whole = f.read()
with open(os.path.join(site, "cut.mp4"), "wb") as f:
    f.write(whole[: len(whole) // 3])   # moov at the end: unreadable

now = datetime.datetime.now(datetime.timezone.utc)


def ago(minutes):
    return (now - datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def post(pid, minutes, url, mime, text=""):
    return {"id": pid, "date_published": ago(minutes), "content_text": text,
            "attachments": [{"url": url, "mime_type": mime}]}


items = [
    post("image1", 1, "red.png", "image/png"),
    post("clip", 2, "av.mp4", "video/mp4", "Une vidéo avec du son"),
    post("phone", 3, "phone.mp4", "video/mp4"),
    post("image2", 4, "yellow.png", "image/png"),
    post("sound", 5, "sound.mp4", "video/mp4"),
    post("cut", 6, "cut.mp4", "video/mp4"),
]
feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Video desk", "items": items}
with open(os.path.join(site, "feed.json"), "w", encoding="utf-8") as f:
    import json
    json.dump(feed, f, ensure_ascii=False)

config = dptest.write_config(os.path.join(work, "test.conf"), """
[playback]
image_duration = 1500ms
audio = true
[display]
transition = fade
transition_time = 300ms
show_qr = false
background = #000000
""")

server = dptest.FileServer(site)
# The first cycle may skip media still downloading; the second plays all.
run = dptest.run_player(server.url("feed.json"), work, config,
                        ["--cycles", "2", "--snapshot-interval", "100"], timeout=120)
check(run.code == 0, "exit code 0 after --cycles 2 (got %s)" % run.code)
skips = {(e["item"], e["reason"]) for e in run.of("skip")}

shown = run.shown_items()
expected = ["image1#1", "clip#1", "phone#1", "image2#1"]
tail = shown[-4:]
check(tail == expected, "image -> video -> video -> image in order: %s" % shown)
check("sound#1" not in shown and "cut#1" not in shown,
      "audio-only and truncated MP4 never shown")
check(any(i == "sound#1" for i, _ in skips), "audio-only MP4 skipped: %s" % sorted(skips))
check(any(i == "cut#1" for i, _ in skips), "truncated MP4 skipped")

# shown events: frames and dropped for videos; on-screen time ~ the clip.
last = {}
for e in run.of("shown"):
    last[e["item"]] = e
for item, frames, ms in (("clip#1", 60, 2000), ("phone#1", 30, 1000)):
    e = last.get(item)
    if not check(e is not None and "frames" in e and "dropped" in e,
                 "%s: shown event carries frames and dropped (%s)" % (item, e)):
        continue
    total = e["frames"] + e["dropped"]
    check(abs(total - frames) <= max(2, frames * 0.05),
          "%s: %d frames presented + %d dropped ~ %d" % (item, e["frames"], e["dropped"], frames))
    # How many frames a loaded machine drops is a benchmark figure
    # (bench/video_play.sh), not a test: the sanitizer pass runs several
    # times slower, so it only reports them.
    if os.environ.get("DP_SANITIZER"):
        print("%s: dropped %d (sanitizer build: not judged)" % (item, e["dropped"]))
    else:
        check(e["dropped"] <= max(1, frames // 100) + 1, "%s: dropped %d" % (item, e["dropped"]))
    if os.environ.get("DP_EMULATED"):
        # make test-arm64: qemu-user decodes several times slower than real
        # time; the clip must still play whole and end within the player's
        # grace (VIDEO_GRACE_MS, 3 s) past its length.
        check(ms * 0.75 <= e["elapsed_ms"] <= ms + 3000 + 1000,
              "%s: on screen %d ms for a %d ms clip (emulated)" % (item, e["elapsed_ms"], ms))
    else:
        check(abs(e["elapsed_ms"] - ms) <= ms * 0.25 + 400,
              "%s: on screen %d ms for a %d ms clip" % (item, e["elapsed_ms"], ms))

# The phone clip stands upright: red band at the top of a portrait picture.
snap = run.snapshot("phone#1")
if check(snap is not None, "snapshot of the phone clip"):
    # 240x320 fitted into 640x360: 270x360 centred (x 185..455).
    check(dptest.near(snap.pixel(320, 20), (255, 0, 0), 60),
          "phone clip: red band on top (%s)" % (snap.pixel(320, 20),))
    check(dptest.near(snap.pixel(320, 300), (0, 0, 255), 60),
          "phone clip: blue below (%s)" % (snap.pixel(320, 300),))
    check(dptest.near(snap.pixel(60, 180), (0, 0, 0), 30),
          "phone clip: pillarboxed on the background (%s)" % (snap.pixel(60, 180),))

# No all-black frame while playing (snapshots every 100 ms, fades included),
# from the first item fully on screen to the end.
def wall_ms(e):
    t = datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000


t0 = wall_ms(run.of("start")[0]) if run.of("start") else 0
first = wall_ms(run.of("show")[0]) - t0 if run.of("show") else 0
snaps = sorted(f for f in os.listdir(run.snapdir)
               if f.startswith("t") and int(f[1:9]) >= first + 100)
check(len(snaps) > 20, "interval snapshots written (%d)" % len(snaps))
black = []
for name in snaps:
    img = dptest.read_png(os.path.join(run.snapdir, name))
    lit = img.fraction(lambda p: max(p) > 40, step=8)
    if lit < 0.05:
        black.append(name)
check(not black, "no all-black frame among %d snapshots: %s" % (len(snaps), black[:5]))
server.stop()
dptest.finish()
