"""Mastodon streaming (issue 11): the desk is a Mastodon account and
[feed] headers carry a token, so the player follows
GET /api/v1/streaming/user (server-sent events, as Mastodon sends them:
`event: update` / `event: delete` / `event: status.update`, `data: ...`,
heartbeat comments) from a loopback server, and polls at once on an event of
that account; an update of another account costs no poll; a dropped stream is
an error event and comes back with backoff while the rotation goes on."""
import http.server
import json
import os
import queue
import socketserver
import threading
import time

import dptest
import faultserver
from dptest import check

dptest.require_binary()
SLOW = faultserver.asan_build() or os.environ.get("DP_SANITIZER") == "1"
BOUND = 6.0 if SLOW else 2.0
work = dptest.tempdir("mastodon")
TOKEN = "Bearer t0ken"
ACCOUNT = "42"


class Desk:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = []
        self.polls = 0
        self.streams = 0
        self.events = queue.Queue()
        self.drop = threading.Event()

    def status(self, ident, text, account=ACCOUNT, age=0):
        return {"id": ident, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                                          time.gmtime(time.time() - age)),
                "content": "<p>%s</p>" % text, "url": "https://social.example/@desk/" + ident,
                "account": {"id": account, "username": "desk", "display_name": "Desk"},
                "media_attachments": [], "reblog": None, "in_reply_to_id": None}

    def send(self, event, data):
        self.events.put("event: %s\ndata: %s\n\n" % (event, data))


desk = Desk()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path.startswith("/api/v1/accounts/%s/statuses" % ACCOUNT):
            with desk.lock:
                desk.polls += 1
                body = json.dumps(desk.statuses).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/api/v1/streaming/user":
            if self.headers.get("Authorization") != TOKEN:
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with desk.lock:
                desk.streams += 1
            desk.drop.clear()
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b":)\n")
            self.wfile.flush()
            last = time.monotonic()
            while not desk.drop.is_set():
                try:
                    msg = desk.events.get(timeout=0.2)
                    # Split across writes, as a proxy may.
                    raw = msg.encode()
                    self.wfile.write(raw[:7])
                    self.wfile.flush()
                    self.wfile.write(raw[7:])
                    self.wfile.flush()
                except queue.Empty:
                    pass
                except OSError:
                    return
                if time.monotonic() - last > 1:
                    try:
                        self.wfile.write(b":thump\n")
                        self.wfile.flush()
                    except OSError:
                        return
                    last = time.monotonic()
            self.close_connection = True
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


httpd = Server(("127.0.0.1", 0), Handler)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
port = httpd.server_address[1]
desk.statuses = [desk.status("100", "first post", age=120), desk.status("99", "second post",
                                                                      age=240)]
feed = "http://127.0.0.1:%d/api/v1/accounts/%s/statuses" % (port, ACCOUNT)
conf = """
[feed]
poll_interval = 10m
headers = Authorization: %s
[playback]
new_posts = interrupt
text_duration = 20s
[display]
transition_time = 100ms
""" % TOKEN
p = faultserver.Player(feed, work, os.path.join(work, "cache"), conf, args=["--run-for", "200"])


def shown(item, kind="show"):
    return p.wait_for(lambda ev: [e for e in ev if e.get("event") == kind and
                                  e["item"] == item], 15)


def wait(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


check(shown("100") or shown("99"), "the rotation starts")
check(wait(lambda: desk.streams >= 1, 20), "the player opens the streaming API with the token")
time.sleep(2)   # the poll asked for at connection

# update: a new status of the account is on screen at once.
desk.statuses.insert(0, desk.status("101", "streamed post"))
t = time.time()
desk.send("update", json.dumps(desk.statuses[0]))
ev = shown("101")
lat = faultserver.ts_seconds(ev[0]) - t if ev else None
print("update event -> on screen (s):", lat)
check(lat is not None and lat < BOUND, "an update event puts the post on screen within 2 s")

# update of another account (the home timeline has them): no poll.
time.sleep(1.5)
polls = desk.polls
desk.send("update", json.dumps(desk.status("555", "someone else", account="7")))
desk.send("notification", json.dumps({"type": "mention"}))
time.sleep(2.5)
check(desk.polls == polls, "another account's update and other events cost no poll")

# delete: the status on screen (for 20 s) leaves it at once.
check(not [e for e in p.events("shown") if e["item"] == "101"], "101 is still on screen")
desk.statuses = [s for s in desk.statuses if s["id"] != "101"]
t = time.time()
desk.send("delete", "101")
gone = shown("101", "shown")
left = faultserver.ts_seconds(gone[0]) - t if gone else None
print("delete event -> off screen (s):", left)
check(left is not None and 0 <= left < BOUND, "a delete event takes the post off the screen")

# status.update: an edit is polled for.
time.sleep(1.5)
polls = desk.polls
desk.statuses[0] = desk.status("100", "first post, edited", age=120)
desk.send("status.update", json.dumps(desk.statuses[0]))
check(wait(lambda: desk.polls > polls, BOUND + 1), "a status.update event polls")

# A dropped stream: an error event, a reconnection, and the stream works again.
shows = len(p.events("show"))
desk.drop.set()
err = p.wait_for(lambda ev: [e for e in ev if e.get("event") == "error" and
                             e.get("where") == "stream"], 10)
check(err is not None, "a dropped stream is an error event (where: stream)")
check(wait(lambda: desk.streams >= 2, 20), "the stream is opened again")
time.sleep(1.5)
desk.statuses.insert(0, desk.status("102", "after the drop"))
t = time.time()
desk.send("update", json.dumps(desk.statuses[0]))
ev = shown("102")
check(ev is not None and faultserver.ts_seconds(ev[0]) - t < BOUND,
      "events work again after the reconnection")
check(len(p.events("show")) > shows, "the rotation went on")
check(p.stop() == 0, "exit 0")
httpd.shutdown()
dptest.finish()
