"""The status endpoint of the running binary (/status, /metrics,
/screenshot.png, the token) and SIGHUP: a config reloaded while playing
changes the durations; a bad one is an error event and changes nothing."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("status")
site = os.path.join(work, "site")
os.makedirs(site)
dptest.make_image(os.path.join(site, "red.png"), 320, 240, "red")
dptest.make_image(os.path.join(site, "blue.png"), 320, 240, "blue")
with open(os.path.join(site, "feed.json"), "w") as f:
    json.dump({"version": "https://jsonfeed.org/version/1.1", "title": "status desk",
               "items": [{"id": "r", "image": "red.png"}, {"id": "b", "image": "blue.png"}]}, f)

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
conf = os.path.join(work, "p.conf")


def write_conf(duration, extra=""):
    dptest.write_config(conf, """
[status]
listen = 127.0.0.1:%d
token = s3cret
[playback]
image_duration = %s
[display]
transition_time = 100ms
%s""" % (port, duration, extra))


write_conf("1500ms")
log = os.path.join(work, "play.log")
env = dict(os.environ, SDL_AUDIODRIVER="dummy")
env.pop("DESKPLAYER_CONFIG", None)
proc = subprocess.Popen([dptest.BIN, "--headless", "--size", "320x240", "-c", conf,
                         "--cache-dir", os.path.join(work, "cache"), "--play-log", log,
                         "--run-for", "30", os.path.join(site, "feed.json")],
                        stderr=subprocess.DEVNULL, env=env)


def get(path, token="s3cret"):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path))
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, None, b""
    except OSError:
        return 0, None, b""


code = 0
for _ in range(50):
    code, _, body = get("/status")
    if code == 200 and json.loads(body).get("now_showing"):
        break
    time.sleep(0.2)
check(code == 200, "/status answers 200 with the token")
st = json.loads(body) if code == 200 else {}
check(st.get("now_showing", {}).get("item") in ("r#1", "b#1"), "now_showing names the item")
check(st.get("feed", {}).get("items") == 2 and st.get("feed", {}).get("last_error") is None,
      "feed figures: 2 items, no error")
check(st.get("shows_total", 0) >= 1 and "cache" in st and "uptime_s" in st,
      "shows_total, cache and uptime present")
code, _, body = get("/metrics")
check(code == 200 and b"deskplayer_shows_total" in body, "/metrics in Prometheus text")
code, ctype, body = get("/screenshot.png")
png = os.path.join(work, "screen.png")
with open(png, "wb") as f:
    f.write(body)
ok = code == 200 and ctype == "image/png"
check(ok, "/screenshot.png answers a PNG")
if ok:
    img = dptest.read_png(png)
    px = img.pixel(160, 120)
    check(dptest.near(px, (255, 0, 0)) or dptest.near(px, (0, 0, 255)),
          "the screenshot shows the item on screen (%s)" % (px,))
check(get("/status", token=None)[0] == 401, "no token: 401")
check(get("/status", token="wrong")[0] == 401, "a wrong token: 401")
check(get("/nothing")[0] == 404, "anything else: 404")

# SIGHUP with a new duration, then with a broken file.
write_conf("3s")
proc.send_signal(signal.SIGHUP)
time.sleep(8)
write_conf("3s", "bogus = 1\n")
proc.send_signal(signal.SIGHUP)
time.sleep(1)
proc.send_signal(signal.SIGTERM)
proc.wait(timeout=20)
check(proc.returncode == 0, "SIGTERM ends it with 0")
events = dptest.read_log(log)
shows = [e for e in events if e["event"] == "show"]
check(any(e["duration_ms"] == 1500 for e in shows), "before SIGHUP: 1.5 s items")
check(any(e["duration_ms"] == 3000 for e in shows), "after SIGHUP: 3 s items")
errs = [e for e in events if e["event"] == "error" and e.get("where") == "config"]
check(errs and "bogus" in errs[0]["error"], "a broken config on SIGHUP is an error event")
stops = [e for e in events if e["event"] == "stop"]
check(stops and stops[-1]["reason"] == "SIGTERM", "stop reason SIGTERM")
# SIGHUP while the standby card is up (its media can never download).
standby_feed = os.path.join(work, "standby.json")
with open(standby_feed, "w") as f:
    json.dump({"version": "https://jsonfeed.org/version/1.1", "title": "waiting",
               "items": [{"id": "w", "image": "http://127.0.0.1:9/never.png"}]}, f)
write_conf("2s")
proc = subprocess.Popen([dptest.BIN, "--headless", "--size", "320x240", "-c", conf,
                         "--cache-dir", os.path.join(work, "cache2"), "--run-for", "4",
                         standby_feed], stderr=subprocess.DEVNULL, env=env)
time.sleep(1.5)
proc.send_signal(signal.SIGHUP)
proc.wait(timeout=30)
check(proc.returncode == 0, "SIGHUP during the standby card: plays on, exits 0 (%s)"
      % proc.returncode)
dptest.finish()
