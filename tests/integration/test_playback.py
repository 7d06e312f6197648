"""Issue 2 end to end: a JSON Feed over loopback HTTP, played headless.

Judges the play log (every item shown, newest first, expired and broken
ones never) and the snapshot pixels (colour at the centre, pillarboxing,
EXIF orientation, a text card that is not blank); then plays the same desk
again with the server gone (from the cache), and checks the command line.
"""
import datetime
import os
import shutil
import struct
import subprocess
import zlib

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("playback")
site = os.path.join(work, "site")
os.makedirs(site)

# ---- the desk -------------------------------------------------------------------
dptest.make_image(os.path.join(site, "red.png"), 800, 600, "red")
dptest.make_image(os.path.join(site, "green.jpg"), 300, 900, "lime")
dptest.make_image(os.path.join(site, "blue.png"), 640, 480, "blue")
dptest.make_image(os.path.join(site, "yellow.webp"), 500, 500, "yellow")
shutil.copy(os.path.join(dptest.FIXTURES, "integration", "exif-rotated.jpg"),
            os.path.join(site, "exif.jpg"))
with open(os.path.join(site, "page.jpg"), "w") as f:
    f.write("<!DOCTYPE html><html><body>Login to the captive portal</body></html>")
with open(os.path.join(site, "red.png"), "rb") as f:
    png = f.read()
with open(os.path.join(site, "cut.png"), "wb") as f:
    f.write(png[: len(png) // 2])


def chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body +
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


with open(os.path.join(site, "huge.png"), "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\0" * 4096)) + chunk(b"IEND", b""))

now = datetime.datetime.now(datetime.timezone.utc)


def ago(hours):
    return (now - datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def img(url, mime):
    return {"url": url, "mime_type": mime}


items = [
    {"id": "red", "date_published": ago(1), "content_text": "Rouge vif",
     "attachments": [img("red.png", "image/png")]},
    {"id": "portrait", "date_published": ago(2), "content_text": "",
     "attachments": [img("/green.jpg", "image/jpeg")]},
    {"id": "exif", "date_published": ago(3), "content_text": "",
     "attachments": [img("exif.jpg", "image/jpeg")]},
    {"id": "text", "date_published": ago(4),
     "content_text": "« Bonjour à tous » — l’accueil ouvre à 9 h, café offert.",
     "authors": [{"name": "Équipe"}]},
    {"id": "two", "date_published": ago(5), "content_text": "Deux images",
     "attachments": [img("blue.png", "image/png"), img("yellow.webp", "image/webp")]},
    {"id": "expired", "date_published": ago(0.5), "content_text": "Fini",
     "_signage": {"end": ago(0.25)}},
    {"id": "future", "date_published": ago(0.5), "content_text": "Plus tard",
     "_signage": {"start": ago(-5)}},
    {"id": "html", "date_published": ago(6), "attachments": [img("page.jpg", "image/jpeg")]},
    {"id": "cut", "date_published": ago(7), "attachments": [img("cut.png", "image/png")]},
    {"id": "huge", "date_published": ago(8), "attachments": [img("huge.png", "image/png")]},
    {"id": "first", "date_published": ago(20), "content_text": "Priority post",
     "_signage": {"priority": 5}},
]
feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Test desk", "items": items}
with open(os.path.join(site, "feed.json"), "w", encoding="utf-8") as f:
    import json
    json.dump(feed, f, ensure_ascii=False)

config = dptest.write_config(os.path.join(work, "test.conf"), """
[playback]
image_duration = 1500ms
text_duration = 1500ms
[display]
transition_time = 200ms
show_qr = false
""")

server = dptest.FileServer(site)
expected = ["first", "red#1", "portrait#1", "exif#1", "text", "two#1", "two#2"]

# Two cycles: in the first, items whose media are still downloading are
# skipped (not_cached); the second must show every playable item in order.
run = dptest.run_player(server.url("feed.json"), work, config, ["--cycles", "2"], timeout=90)
check(run.code == 0, "exit code 0 after --cycles 2 (got %s)" % run.code)
shown = run.shown_items()
second = shown[len(shown) - 1 - shown[::-1].index("first"):] if "first" in shown else []
check(second == expected, "every playable item shown once per cycle, in order: %s" % shown)
check(not {"expired", "future", "html#1", "cut#1", "huge#1"} & set(shown),
      "expired, future and broken items never shown")
skips = {(e["item"], e["reason"]) for e in run.of("skip")}
check(("expired", "expired") in skips, "expired post skipped with reason expired")
# The downloader refuses an HTML page where an image was expected, so the
# item never gets into the cache; the decoder would refuse it too.
html_dl = [e for e in run.of("download") if e["url"].endswith("page.jpg")]
check(html_dl and html_dl[0]["result"] == "refused",
      "HTML page served as JPEG: download refused (%s)" % html_dl)
check(("html#1", "not_cached") in skips or ("html#1", "not_an_image") in skips,
      "HTML page served as JPEG: skipped")
check(("cut#1", "decode_error") in skips, "truncated PNG refused")
check(("huge#1", "too_large") in skips, "30000x30000 PNG refused before decoding")
polls = run.of("poll")
check(polls and polls[0]["result"] == "updated" and polls[0]["status"] == 200,
      "poll event: updated, status 200")
check(run.of("stop") and run.of("stop")[-1]["reason"] == "cycles", "stop reason cycles")
check(len(run.of("shown")) == len(shown), "a shown event for every show")
starts = run.of("start")
check(starts and starts[0].get("size") == "640x360", "start event carries the size")

red = run.snapshot("red#1")
if check(red is not None, "snapshot of the red image"):
    check(dptest.near(red.pixel(320, 120), (255, 0, 0)), "red image: red at the centre top")
    check(red.w == 640 and red.h == 360, "snapshot is 640x360")
portrait = run.snapshot("portrait#1")
if check(portrait is not None, "snapshot of the portrait image"):
    check(dptest.near(portrait.pixel(320, 180), (0, 255, 0)), "portrait: green at the centre")
    check(dptest.near(portrait.pixel(20, 180), (0, 0, 0), 10) and
          dptest.near(portrait.pixel(620, 180), (0, 0, 0), 10),
          "portrait: pillarboxed on the background colour")
exif = run.snapshot("exif#1")
if check(exif is not None, "snapshot of the EXIF-rotated image"):
    check(dptest.near(exif.pixel(320, 110), (255, 0, 0), 60) and
          dptest.near(exif.pixel(320, 250), (0, 0, 255), 60),
          "EXIF orientation honoured: red on top, blue below (%s, %s)"
          % (exif.pixel(320, 110), exif.pixel(320, 250)))
text = run.snapshot("text")
if check(text is not None, "snapshot of the text card"):
    bg = text.pixel(2, 2)
    ink = text.fraction(lambda p: sum(p) > 600)
    check(ink > 0.01, "text card is not blank (%.1f%% bright pixels)" % (ink * 100))
    check(len(text.distinct_colours()) > 4, "text card has anti-aliased text")

# ---- offline: the same desk from the cache --------------------------------------------
server.stop()
off = dptest.run_player("http://127.0.0.1:%d/feed.json" % server.port, work, config,
                        ["--cycles", "1"], timeout=90)
check(off.code == 0, "offline run exits 0")
check(off.shown_items() == expected, "offline: the cached rotation plays: %s"
      % off.shown_items())
opolls = off.of("poll")
check(opolls and opolls[0]["result"] == "error", "offline: the failed poll is in the play log")


def ts(e):
    return datetime.datetime.fromisoformat(e["ts"].replace("Z", "+00:00"))


if off.of("start") and off.of("show"):
    first = (ts(off.of("show")[0]) - ts(off.of("start")[0])).total_seconds()
    print("offline: first show %.3f s after start" % first)
    check(first < 5, "offline: first item on screen within 5 s (%.3f s)" % first)

# ---- the command line and the config ------------------------------------------------------
env = dict(os.environ)
env.pop("DESKPLAYER_CONFIG", None)
bad = dptest.write_config(os.path.join(work, "typo.conf"), "[display]\nbackgroud = #102030\n")
r = subprocess.run([dptest.BIN, "--config", bad, "--check-config"], capture_output=True,
                   text=True, env=env)
check(r.returncode == 2, "a config with a typo exits 2")
check("typo.conf:2" in r.stderr and "backgroud" in r.stderr and "background" in r.stderr,
      "the message names file:line, the key and the closest key: %s" % r.stderr.strip())
r = subprocess.run([dptest.BIN, "--config", config, "--check-config"], capture_output=True,
                   text=True, env=env)
check(r.returncode == 0 and "image_duration" in r.stdout, "--check-config prints the settings")
r = subprocess.run([dptest.BIN, "--version"], capture_output=True, text=True, env=env)
check(r.returncode == 0 and r.stdout.startswith("deskplayer "), "--version")
r = subprocess.run([dptest.BIN, "--help"], capture_output=True, text=True, env=env)
check(r.returncode == 0 and "--headless" in r.stdout, "--help")
r = subprocess.run([dptest.BIN, "--no-such-option"], capture_output=True, text=True, env=env)
check(r.returncode == 2, "an unknown option exits 2")
r = subprocess.run([dptest.BIN, "--headless", "--cache-dir", "/proc/forbidden", "--run-for",
                    "1", server.url("feed.json")], capture_output=True, text=True, env=env)
check(r.returncode == 1, "a cache dir that cannot be written exits 1 (got %d)" % r.returncode)

shutil.rmtree(work, ignore_errors=True)
dptest.finish()
