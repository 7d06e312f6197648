"""Issue 10 end to end: real-world pictures played by the real binary.

A folder of pictures stored turned (WebP with EXIF orientation 6, PNG with
eXIf orientation 3, HEIC with an irot box), HEIC, AVIF, a 100x68 picture,
an animated GIF and a text file; a local JSON Feed with a captioned
pillarboxed picture. The snapshots are judged: upright, small pictures at
most twice their size and centred, the animation moving across interval
snapshots, the caption band across the whole width with its text inside,
no header bar on a text card without author or date, a Mastodon custom
emoji drawn as its picture.
"""
import json
import os
import shutil
import subprocess
import sys

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("wild")
fx = os.path.join(work, "fx")
subprocess.run([sys.executable, os.path.join(dptest.SOURCE, "tests", "unit",
                                             "make_image_fixtures.py"), fx], check=True)
folder = os.path.join(work, "folder")
os.makedirs(folder)
for name in ("o6.webp", "o3.png", "t.heic", "t.avif", "irot.heic", "small.png"):
    if os.path.exists(os.path.join(fx, name)):
        shutil.copy(os.path.join(fx, name), os.path.join(folder, "a-" + name))
    else:
        print("skip: %s could not be made" % name)
# A damaged WebP is refused by SDL_image on the loader thread: skipped, and
# under the sanitizer the player still exits 0 (SDL's per-thread error text
# was reported as a leak inside libSDL2).
with open(os.path.join(folder, "b-broken.webp"), "wb") as f:
    f.write(b"RIFF" + (1000).to_bytes(4, "little") + b"WEBPVP8 " + bytes(range(256)) * 4)
# JPEG XL (no encoder in Debian's libjxl-dev tools: a 47-byte file made with
# libjxl's encoder, tests/unit/test_media_formats.c make_jxl, kept in the
# repo): 32x64 stored turned left, orientation 6 in the codestream.
shutil.copy(os.path.join(dptest.FIXTURES, "images", "orient6.jxl"),
            os.path.join(folder, "a-o6.jxl"))
with open(os.path.join(folder, "z-note.txt"), "w") as f:
    f.write("Kitchen closes at three today.\n")

W, H = 640, 360


def snap(run, post):
    """The snapshot of the first show of post's item."""
    for e in run.of("show"):
        if e.get("post") == post and "snapshot" in e:
            return dptest.read_png(os.path.join(run.snapdir, e["snapshot"]))
    return None


def shown_posts(run):
    return [e.get("post") for e in run.of("show")]


conf = dptest.write_config(os.path.join(work, "dp.conf"),
                           "[display]\ntransition = cut\nbackground = #000000\n"
                           "[playback]\nimage_duration = 1s\ntext_duration = 1s\n")
run = dptest.run_player(folder, work, config=conf, args=["--cycles", "1"], size="%dx%d" % (W, H))
check(run.code == 0, "folder run exits 0 (%s)" % run.code)
skips = [(e["item"], e.get("reason")) for e in run.of("skip")]
check(skips == [("b-broken.webp#1", "decode_error")], "only the damaged file skipped: %s" % skips)

RED, BLUE, GREY = (255, 0, 0), (0, 0, 255), (128, 128, 128)
for name, tol in (("o6.webp", 20), ("o3.png", 20), ("t.heic", 60), ("t.avif", 60),
                  ("irot.heic", 60), ("o6.jxl", 20)):
    item = "a-" + name
    if item not in shown_posts(run):
        check(not os.path.exists(os.path.join(folder, item)), "%s shown" % item)
        continue
    img = snap(run, item)
    # Upright and 2:1, red left of centre and blue right of it.
    left, right = img.pixel(W // 2 - 20, H // 2), img.pixel(W // 2 + 20, H // 2)
    check(dptest.near(left, RED, tol) and dptest.near(right, BLUE, tol),
          "%s upright: left %s right %s" % (name, left, right))
    top, bottom = img.pixel(W // 2 - 20, H // 2 - 40), img.pixel(W // 2 + 20, H // 2 + 40)
    # Small pictures (64x32, 320x160) are enlarged at most 2x: at most
    # 640x320 here, so 2:1 and no red or blue above or below the picture.
    check(img.pixel(W // 2, 2) == (0, 0, 0), "%s: background above the picture" % name)

small = snap(run, "a-small.png")
if check(small is not None, "the 100x68 picture is shown"):
    # 100x68 at most twice: 200x136, centred on the background.
    check(dptest.near(small.pixel(W // 2, H // 2), GREY, 10), "small: grey in the middle")
    check(small.pixel(W // 2 - 105, H // 2) == (0, 0, 0) and
          small.pixel(W // 2, H // 2 - 73) == (0, 0, 0),
          "small: not blown up past 200x136 (%s, %s)" % (small.pixel(W // 2 - 105, H // 2),
                                                        small.pixel(W // 2, H // 2 - 73)))
    check(dptest.near(small.pixel(W // 2 - 95, H // 2), GREY, 10), "small: 2x wide")

note = snap(run, "z-note.txt")
if check(note is not None, "the text file is shown"):
    accent = note.fraction(lambda p: dptest.near(p, (96, 165, 250), 30), step=2)
    check(accent == 0, "text card without author or date: no accent bar (%.4f)" % accent)

# ---- animated GIF and WebP loop for their slot-----------------------------------
anim = os.path.join(work, "anim")
for name in ("anim.gif", "anim.webp"):
    if not os.path.exists(os.path.join(fx, name)):
        print("skip: %s could not be made" % name)
        continue
    shutil.rmtree(anim, ignore_errors=True)
    os.makedirs(anim)
    shutil.copy(os.path.join(fx, name), os.path.join(anim, name))
    conf2 = dptest.write_config(os.path.join(work, "anim.conf"),
                                "[display]\ntransition = cut\n[playback]\nimage_duration = 3s\n")
    run2 = dptest.run_player(anim, work, config=conf2,
                             args=["--cycles", "1", "--snapshot-interval", "150"],
                             size="%dx%d" % (W, H))
    check(run2.code == 0, "%s run exits 0" % name)
    shown = [e for e in run2.of("show") if e.get("post") == name]
    check(shown and shown[0]["kind"] == "image", "%s is an image item: %s" % (name, shown))
    centres = set()
    for shot in sorted(os.listdir(run2.snapdir)):
        if shot.startswith("t"):
            p = dptest.read_png(os.path.join(run2.snapdir, shot)).pixel(W // 2, H // 2)
            for c, label in (((255, 0, 0), "red"), ((0, 255, 0), "lime"),
                             ((0, 0, 255), "blue")):
                if dptest.near(p, c, 40):
                    centres.add(label)
    check(len(centres) == 3, "%s: frames change across snapshots: %s" % (name, centres))
    frames = [e.get("frames") for e in run2.of("shown")]
    print("shown events: %s" % frames)
    # 64x64 enlarged at most twice: 128x128 centred.
    snap2 = snap(run2, name)
    if snap2:
        check(snap2.pixel(W // 2 - 70, H // 2) == (0, 0, 0), "%s: at most 2x" % name)

# ---- a caption on a pillarboxed picture ---------------------------------------
site = os.path.join(work, "site")
os.makedirs(site)
dptest.make_image(os.path.join(site, "tall.png"), 300, 900, "lime")
feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Wild",
        "items": [{"id": "cap", "title": "Headline",
                   "content_text": "A caption long enough to run wide across the screen",
                   "attachments": [{"url": "tall.png", "mime_type": "image/png"}]}]}
with open(os.path.join(site, "feed.json"), "w") as f:
    json.dump(feed, f)
run3 = dptest.run_player(os.path.join(site, "feed.json"), work, config=conf,
                         args=["--cycles", "1"], size="%dx%d" % (W, H))
cap = snap(run3, "cap")
if check(cap is not None, "captioned picture shown"):
    # Rows of the band: the bottom row of the screen, x = 5 (beside the
    # picture), is not the black background; the band spans every column.
    band_rows = [y for y in range(H) if cap.pixel(5, y) != (0, 0, 0)]
    check(band_rows and band_rows[-1] == H - 1, "caption band reaches the bottom")
    top = band_rows[0] if band_rows else H
    check(all(cap.pixel(x, H - 3) != (0, 0, 0) for x in range(0, W, 8)),
          "caption band as wide as the screen")
    white = [(x, y) for y in range(0, H, 1) for x in range(0, W, 2)
             if all(c > 200 for c in cap.pixel(x, y))]
    check(white, "caption text drawn")
    outside = [(x, y) for x, y in white if y < top]
    check(not outside, "caption text inside its band (top %d): %s" % (top, outside[:5]))
    print("band rows %d..%d, text x %d..%d" % (top, H - 1, min(x for x, _ in white),
                                                max(x for x, _ in white)))
# ---- Mastodon custom emoji drawn inline, never as :shortcode: text -------------
masto = os.path.join(work, "masto")
os.makedirs(masto)
dptest.make_image(os.path.join(masto, "toot.png"), 64, 64, "magenta")
srv = dptest.FileServer(masto)
emoji = [{"shortcode": "toot", "url": srv.url("toot.png"), "static_url": srv.url("toot.png"),
          "visible_in_picker": True}]
acct = {"id": "1", "username": "desk", "display_name": "Desk", "avatar": None}
statuses = [{"id": "9", "created_at": "2026-03-10T09:00:00.000Z", "in_reply_to_id": None,
             "sensitive": False, "spoiler_text": "", "url": "https://social.example/@desk/9",
             "content": "<p>Time to :toot: now</p>", "reblog": None, "account": acct,
             "media_attachments": [], "emojis": emoji},
            {"id": "8", "created_at": "2026-03-10T08:00:00.000Z", "in_reply_to_id": None,
             "sensitive": False, "spoiler_text": "", "url": "https://social.example/@desk/8",
             "content": "<p>Another post</p>", "reblog": None, "account": acct,
             "media_attachments": [], "emojis": []}]
with open(os.path.join(masto, "statuses.json"), "w") as f:
    json.dump(statuses, f)
conf4 = dptest.write_config(os.path.join(work, "masto.conf"),
                            "[display]\ntransition = cut\nshow_qr = false\n"
                            "[playback]\ntext_duration = 3s\n")
run4 = dptest.run_player(srv.url("statuses.json"), work, config=conf4,
                         args=["--run-for", "10"], size="%dx%d" % (W, H))
srv.stop()
shows = [e for e in run4.of("show") if e.get("post") == "9"]
check(shows, "the Mastodon post is shown")
if shows:
    # The first show may come before the emoji's download: the next one not.
    last = dptest.read_png(os.path.join(run4.snapdir, shows[-1]["snapshot"]))
    pink = last.fraction(lambda p: dptest.near(p, (255, 0, 255), 40), step=2)
    white = last.fraction(lambda p: all(c > 200 for c in p), step=1)
    print("emoji card: %d shows, pink %.4f, white %.4f" % (len(shows), pink, white))
    check(pink > 0.002, "custom emoji drawn as its picture (%.4f of the card)" % pink)
dptest.finish()
