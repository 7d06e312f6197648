"""The systemd notify protocol from the real binary (issue 12): the test binds
a datagram socket and passes it as NOTIFY_SOCKET with WATCHDOG_USEC, as
systemd does for a Type=notify unit with WatchdogSec=.

- READY=1 exactly once, after the first picture (an item, or the standby
  card when the feed cannot be reached);
- WATCHDOG=1 every WATCHDOG_USEC/2 for the whole run (never a gap as long as
  WATCHDOG_USEC, at which systemd would restart the player);
- STATUS= naming the item on screen (an id of the play log's show events)
  and the feed's state;
- STOPPING=1 at SIGTERM, then exit 0;
- without NOTIFY_SOCKET nothing is sent and the run is the same."""
import json
import os
import signal
import socket
import subprocess
import time

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("notify")
DEMO = os.path.join(dptest.SOURCE, "assets", "demo", "feed.json")
WATCHDOG_S = 2.0
RUN_S = 8.0

config = dptest.write_config(os.path.join(work, "notify.conf"), """
[playback]
image_duration = 1s
text_duration = 1s
[display]
transition = cut
[status]
listen =
""")


def run(feed, name, notify=True):
    """Runs the player for RUN_S, then SIGTERM; returns (code, messages,
    play log events) with messages as (wall seconds, text)."""
    path = os.path.join(work, name + ".sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.1)
    log = os.path.join(work, name + ".log")
    env = dict(os.environ, WATCHDOG_USEC=str(int(WATCHDOG_S * 1e6)), SDL_AUDIODRIVER="dummy")
    env.pop("DESKPLAYER_CONFIG", None)
    env.pop("NOTIFY_SOCKET", None)
    if notify:
        env["NOTIFY_SOCKET"] = path
    cmd = [dptest.BIN, "--headless", "--size", "640x360", "--play-log", log,
           "--cache-dir", os.path.join(work, name + "-cache"), "--config", config, feed]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    msgs = []
    t0 = time.monotonic()
    sent_term = False
    while True:
        try:
            msgs.append((time.time(), sock.recv(4096).decode("utf-8", "replace")))
        except socket.timeout:
            pass
        if not sent_term and time.monotonic() - t0 >= RUN_S:
            proc.send_signal(signal.SIGTERM)
            sent_term = True
        if sent_term and proc.poll() is not None:
            break
        if time.monotonic() - t0 > RUN_S + 60:
            proc.kill()
            break
    while True:   # what was queued before the exit
        try:
            msgs.append((time.time(), sock.recv(4096).decode("utf-8", "replace")))
        except socket.timeout:
            break
    _, err = proc.communicate()
    sock.close()
    if proc.returncode != 0:
        print(err.decode("utf-8", "replace")[-2000:])
    return proc.returncode, msgs, dptest.read_log(log)


def ts(event):
    """Play log timestamp (RFC 3339, UTC, ms) as Unix seconds."""
    t = time.strptime(event["ts"][:19], "%Y-%m-%dT%H:%M:%S")
    return time.mktime(t) - time.timezone + float("0" + event["ts"][19:23])


def judge(label, code, msgs, events, want_item):
    check(code == 0, "%s: exit 0 after SIGTERM" % label)
    texts = [m for _, m in msgs]
    ready = [t for t, m in msgs if "READY=1" in m.split("\n")]
    check(len(ready) == 1, "%s: READY=1 sent once (%d)" % (label, len(ready)))
    start = [e for e in events if e["event"] == "start"]
    if ready and start:
        check(ready[0] >= ts(start[0]) - 0.01, "%s: READY after the start" % label)
    pings = [t for t, m in msgs if m == "WATCHDOG=1"]
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    want = RUN_S / (WATCHDOG_S / 2)
    check(want * 0.6 <= len(pings) <= want * 1.5 + 2,
          "%s: %d pings in %.0f s at WATCHDOG_USEC/2 = %.1f s" %
          (label, len(pings), RUN_S, WATCHDOG_S / 2))
    check(gaps and max(gaps) < WATCHDOG_S,
          "%s: no gap between pings reaches WATCHDOG_USEC (longest %.2f s)" %
          (label, max(gaps) if gaps else -1))
    check(gaps and min(gaps) > WATCHDOG_S / 2 * 0.5,
          "%s: pings not faster than WATCHDOG_USEC/2 (shortest %.2f s)" %
          (label, min(gaps) if gaps else -1))
    status = [m for m in texts if m.startswith("STATUS=")]
    check(any(want_item(m) for m in status), "%s: a STATUS line names what is shown: %s" %
          (label, status[:3]))
    check(texts and texts[-1].startswith("STOPPING=1"),
          "%s: STOPPING=1 last: %r" % (label, texts[-1:] if texts else None))
    return status


# The demo desk: items from the play log in STATUS.
code, msgs, events = run(DEMO, "demo")
shown = {e["item"] for e in events if e["event"] == "show"}
check(bool(shown), "demo: items shown: %s" % sorted(shown))
first_show = [e for e in events if e["event"] == "show"][:1]
status = judge("demo", code, msgs, events,
               lambda m: any(("Showing %s;" % i) in m for i in shown) and "feed ok" in m)
ready = [t for t, m in msgs if m == "READY=1"]
if ready and first_show:
    # The first show event is written with its first frame (transition = cut).
    check(ready[0] <= ts(first_show[0]) + 1.5,
          "demo: READY within 1.5 s of the first show (%.2f s)" % (ready[0] - ts(first_show[0])))

# A feed that cannot be reached: the standby card is the first picture.
url = "http://127.0.0.1:%d/feed.json" % dptest.free_port()  # nothing listens there
code, msgs, events = run(url, "offline")
judge("offline", code, msgs, events,
      lambda m: m.startswith("STATUS=Standby card; feed error"))

# Outside systemd: nothing sent, nothing fails.
code, msgs, events = run(DEMO, "plain", notify=False)
check(code == 0, "no NOTIFY_SOCKET: exit 0")
check(msgs == [], "no NOTIFY_SOCKET: nothing sent (%d messages)" % len(msgs))
check(any(e["event"] == "show" for e in events), "no NOTIFY_SOCKET: items shown")
dptest.finish()
