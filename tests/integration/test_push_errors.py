"""Push that goes wrong never stops the rotation (issue 11), and requested
polls coalesce (issue 8): a broker that refuses the login, and one that
sends garbage, are `error` events while the rotation goes on; a storm of
200 SIGUSR1 in 5 s costs the feed server a handful of polls; a post taken
down leaves the screen at the next poll without push."""
import json
import os
import signal
import socket
import threading
import time

import dptest
import faultserver
from dptest import check

dptest.require_binary()
dptest.require_mosquitto()
work = dptest.tempdir("pusherr")
srv = faultserver.FaultServer().start()


def publish_feed(items):
    now = time.time()
    out = []
    for i, (ident, dur) in enumerate(items):
        out.append({"id": ident, "content_text": "post " + ident, "_signage": {"duration": dur},
                    "date_published": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                    time.gmtime(now - 60 * i))})
    srv.put("/feed.json", json.dumps({"version": "https://jsonfeed.org/version/1.1",
                                      "title": "desk", "items": out}).encode(),
            "application/feed+json")


def feed_requests():
    return len([r for r in srv.stats()["requests"] if r["path"] == "/feed.json"])


def notify_errors(p):
    return [e for e in p.events("error") if e.get("where") == "notify"]


# 1. A wrong password; the take-down of the post on screen without push.
broker = dptest.Broker(work, users={"screen": "right"})
publish_feed([("long", 20), ("x", 3), ("y", 3)])
conf = """
[feed]
poll_interval = 2s
notify = mqtt://screen:wrong@127.0.0.1:%d/desk/updates
[display]
transition_time = 100ms
""" % broker.port
p = faultserver.Player(srv.url("/feed.json"), work, os.path.join(work, "cache1"), conf,
                       args=["--run-for", "120"], name="login")
ev = p.wait_for(lambda ev: [e for e in ev if e.get("event") == "show" and e["item"] == "long"],
                30)
check(ev is not None, "the long post is on screen")
time.sleep(1)
publish_feed([("x", 3), ("y", 3)])
t = time.time()
gone = p.wait_for(lambda ev: [e for e in ev if e.get("event") == "shown" and
                              e["item"] == "long"], 25)
left = faultserver.ts_seconds(gone[0]) - t if gone else None
print("taken down without push -> off screen (s):", left)
check(left is not None and left < 8,
      "a post taken down leaves the screen at the next poll (2 s), not after its 20 s")
time.sleep(6)
check(len([e for e in p.events("show") if e["item"] == "long"]) == 1,
      "the post taken down is never shown again")
errs = notify_errors(p)
check(errs and any("not authori" in e.get("error", "") for e in errs),
      "a refused login is an error event: %s" % (errs[0].get("error") if errs else None))
shows = len(p.events("show"))
time.sleep(7)
check(len(p.events("show")) >= shows + 2 and p.proc.poll() is None,
      "the rotation goes on with the login refused")
check(p.stop() == 0, "exit 0")
broker.kill()


# 2. A "broker" that answers garbage; a storm of SIGUSR1.
class Garbage:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            try:
                c.recv(1024)
                c.sendall(b"\xff\xff\xff\xff\x7fHELLO garbage \x00\x01" * 64)
                time.sleep(0.2)
            except OSError:
                pass
            c.close()


g = Garbage()
publish_feed([("x", 3), ("y", 3)])
conf = """
[feed]
poll_interval = 10m
notify = mqtt://127.0.0.1:%d/desk/updates
[display]
transition_time = 100ms
""" % g.port
p = faultserver.Player(srv.url("/feed.json"), work, os.path.join(work, "cache2"), conf,
                       args=["--run-for", "120"], name="garbage")
check(p.wait_for(lambda ev: [e for e in ev if e.get("event") == "show"], 30) is not None,
      "the rotation starts")
check(p.wait_for(lambda ev: notify_errors(p), 15) is not None,
      "garbage from the broker is an error event")
time.sleep(2)
before = feed_requests()
t0 = time.monotonic()
for i in range(200):
    p.proc.send_signal(signal.SIGUSR1)
    time.sleep(0.025)
elapsed = time.monotonic() - t0
time.sleep(2)
storm = feed_requests() - before
print("200 SIGUSR1 in %.1f s -> %d feed requests" % (elapsed, storm))
check(1 <= storm <= elapsed + 4,
      "a storm of 200 SIGUSR1 costs %d polls (at most one a second)" % storm)
shows = len(p.events("show"))
time.sleep(7)
check(len(p.events("show")) >= shows + 1 and p.proc.poll() is None,
      "the rotation goes on with a garbage broker")
check(g.accepted >= 2, "it reconnects with backoff (%d connections)" % g.accepted)
check(p.stop() == 0, "exit 0")

# 3. mqtts: the broker's certificate is checked as for feeds; ca_file is honoured.
cert = faultserver.make_cert(work)
if cert:
    broker = dptest.Broker(work, tls=cert)
    for name, extra in (("tls-unknown", ""), ("tls-ca", "ca_file = %s\n" % cert[0])):
        conf = "[feed]\npoll_interval = 10m\nnotify = %s\n%s" % (broker.url("desk/t"), extra)
        p = faultserver.Player(srv.url("/feed.json"), work, os.path.join(work, "c-" + name),
                               conf, args=["--run-for", "60"], name=name)
        check(p.wait_for(lambda ev: [e for e in ev if e.get("event") == "show"], 30) is not None,
              name + ": the rotation starts")
        if extra:
            up = p.wait_for(lambda ev: "subscribed to desk/t" in p.stderr_tail(20000), 15)
            check(up, name + ": the subscription is up with the CA in ca_file")
            time.sleep(1.5)
            before = feed_requests()
            broker.publish("desk/t")
            check(p.wait_for(lambda ev: feed_requests() > before, 10),
                  name + ": a message over TLS asks for a poll")
        else:
            errs = p.wait_for(lambda ev: notify_errors(p), 15)
            check(errs and "TLS" in errs[0].get("error", ""),
                  name + ": an unknown certificate is an error event: %s" %
                  (errs[0].get("error") if errs else None))
            shows = len(p.events("show"))
            time.sleep(4)
            check(len(p.events("show")) > shows, name + ": the rotation goes on")
        check(p.stop() == 0, name + ": exit 0")
    broker.kill()
else:
    print("openssl missing: mqtts not tested")
srv.stop()
dptest.finish()
