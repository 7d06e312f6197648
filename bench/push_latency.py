#!/usr/bin/env python3
"""Benchmark (issue 11): broker message -> new post on screen, over
TRIES tries (default 20): a real mosquitto on a loopback port, the feed on
a loopback HTTP server, poll_interval 10 minutes, new_posts = interrupt,
transition = cut, the default notify_jitter (500 ms) and also 0. The
reference is mosquitto_sub receiving the same message (the broker's own
delivery time). Prints median and 95th percentile.
Usage: push_latency.py [build/deskplayer]"""
import json
import os
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "integration"))
os.environ["DP_BIN"] = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/deskplayer")
import dptest       # noqa: E402
import faultserver  # noqa: E402

TRIES = int(os.environ.get("TRIES", "20"))
dptest.BIN = faultserver.BIN = os.environ["DP_BIN"]
work = dptest.tempdir("bench-push")
broker = dptest.Broker(work)
srv = faultserver.FaultServer().start()
posts = [{"id": "base", "content_text": "base post", "_signage": {"duration": 600}}]


def put():
    srv.put("/feed.json", json.dumps({"version": "https://jsonfeed.org/version/1.1",
                                      "items": posts}).encode(), "application/feed+json")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def reference():
    """mosquitto_sub: publish -> received, same broker, TRIES times."""
    out = []
    for _ in range(TRIES):
        sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port),
                                "-t", "ref", "-C", "1"], stdout=subprocess.PIPE)
        time.sleep(0.3)
        t = time.time()
        broker.publish("ref")
        sub.stdout.readline()
        out.append(time.time() - t)
        sub.wait()
    return out


def run(jitter):
    put()
    conf = ("[feed]\npoll_interval = 10m\nnotify = %s\nnotify_jitter = %s\n"
            "[playback]\nnew_posts = interrupt\n[display]\ntransition = cut\n"
            % (broker.url("desk/updates"), jitter))
    p = faultserver.Player(srv.url("/feed.json"), work, os.path.join(work, "cache-" + jitter),
                           conf, args=["--run-for", "600"], name="p" + jitter)
    p.wait_for(lambda ev: "subscribed" in p.stderr_tail(20000), 30)
    time.sleep(2)
    lat = []
    for i in range(TRIES):
        ident = "n%s-%d" % (jitter, i)
        posts.insert(0, {"id": ident, "content_text": "pushed %d" % i,
                         "_signage": {"duration": 600}})
        put()
        t = time.time()
        broker.publish("desk/updates")
        ev = p.wait_for(lambda ev: [e for e in ev if e.get("event") == "show" and
                                    e["item"] == ident], 20)
        if ev:
            lat.append(faultserver.ts_seconds(ev[0]) - t)
        time.sleep(1.2)   # past the coalescing second
    p.stop()
    return lat


ref = reference()
print("reference mosquitto_sub delivery: median %.1f ms, p95 %.1f ms" %
      (1000 * pct(ref, 0.5), 1000 * pct(ref, 0.95)))
for jitter in ("500ms", "0"):
    lat = run(jitter)
    print("notify_jitter %-5s message -> on screen, %d/%d tries: median %.0f ms, p95 %.0f ms, "
          "max %.0f ms; ratio to the broker's delivery %.0fx" %
          (jitter, len(lat), TRIES, 1000 * pct(lat, 0.5), 1000 * pct(lat, 0.95),
           1000 * max(lat), pct(lat, 0.5) / max(pct(ref, 0.5), 1e-6)))
broker.kill()
srv.stop()
