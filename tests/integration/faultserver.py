#!/usr/bin/env python3
"""A loopback HTTP(S) server that misbehaves on purpose (python3 stdlib only).

Used two ways:
  * imported by the integration tests: FaultServer(...).start(), then
    put() content and set_mode() per path while the player runs;
  * run as a program by the C unit tests:
        faultserver.py [--root DIR] [--mode PATH=MODE ...] [--tls CERT KEY]
    prints "PORT <n>" on its first line, then serves until stdin closes.
    Modes can also be changed over HTTP: GET /_ctl/mode?path=/x&mode=drip,
    and statistics read at GET /_ctl/stats (JSON).

It listens on 127.0.0.1 only. Every answer carries "Connection: close".

Modes (per path; "ok" by default):
  ok               200 with ETag/Last-Modified, conditional GET (304), Range
  norange          like ok but Range and If-Range are ignored (always 200)
  silence          accept, read the request, never answer
  drip             the whole answer at 1 byte per second
  stall_headers    status and headers, then nothing
  cut              headers with the full Content-Length, half the body, close
  cut_once         "cut" for the first request of the path, then "ok"
  cut_once_norange "cut" for the first request, then "norange"
  chunked_forever  a chunked body that never ends
  big_cl           Content-Length of 64 MiB and a body to match
  big_nocl         no Content-Length, data until the client gives up
  status_<code>    that status (500, 502, 503, 429, ...) with a small body
  status_<code>_ra same with "Retry-After: 2" (status_503_ra5: 5 seconds)
  html             200 text/html captive-portal page
  redirect_loop    302 to itself with a counter, forever
  redirect_file    302 to file:///etc/passwd
  redirect_http    302 to the same path on the plain http server (http_port)
  redirect_ok      302 to /_r<path>, which serves the content normally
  always_304       304 whatever the request
  slow             the body at `rate` bytes per second (set_rate)
"""

import argparse
import email.utils
import hashlib
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse

HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Welcome to Hall WiFi</title></head>"
             b"<body><p>Please accept the terms to continue.</p></body></html>\n")


class FaultServer:
    def __init__(self, port=0, tls=None, root=None):
        self.lock = threading.Lock()
        self.content = {}         # path -> (bytes, content_type, etag, last_modified)
        self.modes = {}           # path -> mode
        self.default_mode = "ok"
        self.rate = 256 * 1024    # bytes/s for "slow"
        self.requests = []        # dicts: path, headers, mode, status
        self.bytes_sent = 0
        self.bytes_received = 0   # request heads
        self.bytes_by_path = {}
        self.cut_seen = set()
        self.http_port = None     # target of redirect_http
        self.root = root
        self.tls = tls            # (certfile, keyfile) or None
        self.port = port
        self.sock = None
        self.stopping = False
        self.conns = set()
        self.thread = None

    # ---- content and modes ----
    def put(self, path, data, content_type="application/octet-stream", etag=None,
            last_modified=None):
        if etag is None:
            etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        if last_modified is None:
            last_modified = email.utils.formatdate(time.time() - 3600, usegmt=True)
        with self.lock:
            self.content[path] = (data, content_type, etag, last_modified)

    def set_mode(self, path, mode):
        with self.lock:
            if path is None:
                self.default_mode = mode
            else:
                self.modes[path] = mode

    def set_rate(self, rate):
        with self.lock:
            self.rate = rate

    def stats(self):
        with self.lock:
            return {"bytes_sent": self.bytes_sent, "bytes_received": self.bytes_received,
                    "requests": list(self.requests), "bytes_by_path": dict(self.bytes_by_path)}

    def reset_stats(self):
        with self.lock:
            self.bytes_sent = 0
            self.bytes_received = 0
            self.bytes_by_path = {}
            self.requests = []

    def url(self, path):
        scheme = "https" if self.tls else "http"
        return "%s://127.0.0.1:%d%s" % (scheme, self.port, path)

    # ---- listening ----
    def start(self):
        self._listen()
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()
        return self

    def _listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self.port = s.getsockname()[1]
        self.sock = s

    def stop_listening(self):
        """Connections are refused until resume_listening()."""
        with self.lock:
            s, self.sock = self.sock, None
        if s:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self._drop_connections()

    def resume_listening(self):
        for _ in range(50):
            try:
                self._listen()
                break
            except OSError:
                time.sleep(0.1)
        if not self.thread or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._accept_loop, daemon=True)
            self.thread.start()

    def stop(self):
        self.stopping = True
        self.stop_listening()

    def _drop_connections(self):
        with self.lock:
            conns = list(self.conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _accept_loop(self):
        while not self.stopping:
            s = self.sock
            if s is None:
                time.sleep(0.05)
                continue
            try:
                s.settimeout(0.2)
                conn, _ = s.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    # ---- one connection ----
    def _serve(self, conn):
        with self.lock:
            self.conns.add(conn)
        try:
            conn.settimeout(30)
            if self.tls:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(*self.tls)
                conn = ssl_wrap(ctx, conn)
                if conn is None:
                    return
                with self.lock:
                    self.conns.add(conn)
            req = read_request(conn)
            if req is None:
                return
            with self.lock:
                self.bytes_received += req[3]
            self._answer(conn, *req[:3])
        except (OSError, ssl.SSLError):
            pass
        finally:
            with self.lock:
                self.conns.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def _send(self, conn, data, path):
        conn.sendall(data)
        with self.lock:
            self.bytes_sent += len(data)
            self.bytes_by_path[path] = self.bytes_by_path.get(path, 0) + len(data)

    def _head(self, status, headers):
        reason = {200: "OK", 206: "Partial Content", 302: "Found", 304: "Not Modified",
                  404: "Not Found", 416: "Range Not Satisfiable", 429: "Too Many Requests",
                  500: "Internal Server Error", 502: "Bad Gateway",
                  503: "Service Unavailable"}.get(status, "Status")
        lines = ["HTTP/1.1 %d %s" % (status, reason)]
        lines += ["%s: %s" % kv for kv in headers]
        lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def _lookup(self, path):
        with self.lock:
            item = self.content.get(path)
        if item is None and self.root:
            full = os.path.realpath(os.path.join(self.root, path.lstrip("/")))
            if full.startswith(os.path.realpath(self.root)) and os.path.isfile(full):
                with open(full, "rb") as f:
                    data = f.read()
                ct = "application/octet-stream"
                if full.endswith(".json"):
                    ct = "application/feed+json"
                elif full.endswith(".png"):
                    ct = "image/png"
                elif full.endswith(".jpg"):
                    ct = "image/jpeg"
                st = os.stat(full)
                item = (data, ct, '"%s"' % hashlib.sha256(data).hexdigest()[:16],
                        email.utils.formatdate(st.st_mtime, usegmt=True))
        return item

    def _answer(self, conn, method, target, headers):
        parsed = urllib.parse.urlsplit(target)
        path = parsed.path
        if path.startswith("/_ctl/"):
            return self._control(conn, path, urllib.parse.parse_qs(parsed.query))
        real_path = path[3:] if path.startswith("/_r/") else path
        with self.lock:
            mode = self.modes.get(path, self.modes.get(real_path, self.default_mode))
            if path.startswith("/_r/"):
                mode = "ok"
            if mode in ("cut_once", "cut_once_norange"):
                later = "ok" if mode == "cut_once" else "norange"
                mode = later if path in self.cut_seen else "cut"
                self.cut_seen.add(path)
            rate = self.rate
            entry = {"path": path, "mode": mode, "headers": headers, "t": time.time()}
            self.requests.append(entry)
        item = self._lookup(real_path)

        if mode == "silence":
            self._wait_closed(conn)
            return
        if mode.startswith("status_"):
            parts = mode.split("_")
            code = int(parts[1])
            hdrs = [("Content-Type", "text/plain"), ("Content-Length", "6")]
            if len(parts) > 2 and parts[2].startswith("ra"):
                hdrs.append(("Retry-After", parts[2][2:] or "2"))
            entry["status"] = code
            self._send(conn, self._head(code, hdrs) + b"error\n", path)
            return
        if mode == "html":
            entry["status"] = 200
            self._send(conn, self._head(200, [("Content-Type", "text/html"),
                                              ("Content-Length", str(len(HTML_PAGE)))])
                       + HTML_PAGE, path)
            return
        if mode.startswith("redirect_"):
            if mode == "redirect_loop":
                n = int(urllib.parse.parse_qs(parsed.query).get("n", ["0"])[0]) + 1
                loc = "%s?n=%d" % (path, n)
            elif mode == "redirect_file":
                loc = "file:///etc/passwd"
            elif mode == "redirect_http":
                loc = "http://127.0.0.1:%d%s" % (self.http_port or 1, path)
            else:
                loc = "/_r" + path
            entry["status"] = 302
            self._send(conn, self._head(302, [("Location", loc), ("Content-Length", "0")]),
                       path)
            return
        if mode == "always_304":
            entry["status"] = 304
            self._send(conn, self._head(304, []), path)
            return
        if mode == "chunked_forever":
            entry["status"] = 200
            self._send(conn, self._head(200, [("Content-Type", "application/octet-stream"),
                                              ("Transfer-Encoding", "chunked")]), path)
            chunk = b"x" * 65536
            while not self.stopping:
                self._send(conn, b"10000\r\n" + chunk + b"\r\n", path)
            return
        if mode in ("big_cl", "big_nocl"):
            entry["status"] = 200
            total = 64 * 1024 * 1024
            hdrs = [("Content-Type", "application/octet-stream")]
            if mode == "big_cl":
                hdrs.append(("Content-Length", str(total)))
            self._send(conn, self._head(200, hdrs), path)
            chunk = b"y" * 65536
            sent = 0
            while sent < total and not self.stopping:
                self._send(conn, chunk, path)
                sent += len(chunk)
            return

        if item is None:
            entry["status"] = 404
            self._send(conn, self._head(404, [("Content-Length", "0")]), path)
            return
        data, ctype, etag, lm = item
        if mode in ("drip", "stall_headers", "cut"):
            headers = {}   # these faults need a whole 200 answer to break
        status, body, hdrs = self._plain_answer(mode, headers, data, ctype, etag, lm)
        entry["status"] = status
        head = self._head(status, hdrs)
        if mode == "drip":
            for b in head + body:
                self._send(conn, bytes([b]), path)
                time.sleep(1.0)
            return
        if mode == "stall_headers":
            self._send(conn, head, path)
            self._wait_closed(conn)
            return
        if mode == "cut":
            self._send(conn, head + body[:len(body) // 2], path)
            return
        if mode == "slow":
            self._send(conn, head, path)
            step = max(1, rate // 20)
            for i in range(0, len(body), step):
                self._send(conn, body[i:i + step], path)
                time.sleep(step / rate)
            return
        self._send(conn, head + body, path)

    def _plain_answer(self, mode, headers, data, ctype, etag, lm):
        base = [("Content-Type", ctype), ("ETag", etag), ("Last-Modified", lm)]
        inm = headers.get("if-none-match")
        ims = headers.get("if-modified-since")
        if (inm is not None and etag in [t.strip() for t in inm.split(",")]) or \
                (inm is None and ims is not None and ims == lm):
            return 304, b"", [("ETag", etag), ("Last-Modified", lm)]
        rng = headers.get("range")
        if rng and mode != "norange" and rng.startswith("bytes="):
            if_range = headers.get("if-range")
            if if_range is None or if_range in (etag, lm):
                start_s, _, end_s = rng[6:].partition("-")
                try:
                    start = int(start_s)
                    end = int(end_s) if end_s else len(data) - 1
                except ValueError:
                    start, end = -1, -1
                if start >= len(data):
                    return 416, b"", [("Content-Range", "bytes */%d" % len(data)),
                                      ("Content-Length", "0")]
                if 0 <= start <= end:
                    end = min(end, len(data) - 1)
                    part = data[start:end + 1]
                    return 206, part, base + [
                        ("Content-Range", "bytes %d-%d/%d" % (start, end, len(data))),
                        ("Content-Length", str(len(part)))]
        return 200, data, base + [("Content-Length", str(len(data)))]

    def _wait_closed(self, conn):
        conn.settimeout(0.5)
        while not self.stopping:
            try:
                if conn.recv(4096) == b"":
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def _control(self, conn, path, query):
        if path == "/_ctl/mode":
            self.set_mode(query.get("path", [None])[0], query.get("mode", ["ok"])[0])
            body = b"ok\n"
        elif path == "/_ctl/stats":
            body = json.dumps(self.stats()).encode()
        else:
            body = b"?\n"
        conn.sendall(self._head(200, [("Content-Length", str(len(body)))]) + body)


def ssl_wrap(ctx, conn):
    try:
        return ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        conn.close()
        return None


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
        if len(data) > 65536:
            return None
    raw = data.split(b"\r\n\r\n", 1)[0]
    head = raw.decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2:
        return None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return parts[0], parts[1], headers, len(raw) + 4


def make_cert(dirpath):
    """A self-signed certificate for 127.0.0.1, or None without openssl."""
    import shutil
    import subprocess
    if not shutil.which("openssl"):
        return None
    cert = os.path.join(dirpath, "cert.pem")
    key = os.path.join(dirpath, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (cert, key) if r.returncode == 0 else None


# ---- helpers shared by tests/integration/test_net_*.py ----------------------------

BIN = os.environ.get("DP_BIN", "")
SKIP = 77


def asan_build():
    """True when DP_BIN is a sanitizer build (slower: shorter loops)."""
    return os.environ.get("DP_ASAN") == "1" or "asan" in BIN.lower()


def require_binary():
    import shutil
    if not BIN or not os.access(BIN, os.X_OK):
        print("DP_BIN not set or not executable; skipping")
        sys.exit(SKIP)
    if not shutil.which("ffmpeg"):
        print("ffmpeg CLI missing; skipping")
        sys.exit(SKIP)


def make_png(path, w, h, color=None, noise=False):
    """A picture made with the ffmpeg CLI: a solid colour, or noise (large)."""
    import subprocess
    if noise:
        src = "nullsrc=s=%dx%d,geq=random(1)*255:random(2)*255:random(3)*255" % (w, h)
    else:
        src = "color=c=%s:s=%dx%d" % (color or "red", w, h)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src, "-frames:v", "1",
                    path], check=True)
    with open(path, "rb") as f:
        return f.read()


def feed_json(items, title="fault desk"):
    """items: (id, media path or None, hours ago). Newest first."""
    out = []
    now = time.time()
    for ident, media, hours in items:
        it = {"id": ident, "content_text": "post " + ident,
              "date_published": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                              time.gmtime(now - hours * 3600))}
        if media:
            it["attachments"] = [{"url": media, "mime_type": "image/png"}]
        out.append(it)
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title,
                       "items": out}).encode()


class Player:
    """The binary running headless in the background, its play log read live."""

    def __init__(self, feed, workdir, cache_dir, config="", args=(), size="320x180",
                 name="player"):
        import subprocess
        os.makedirs(workdir, exist_ok=True)
        self.log = os.path.join(workdir, name + ".log")
        self.err = os.path.join(workdir, name + ".stderr")
        for p in (self.log,):
            if os.path.exists(p):
                os.unlink(p)
        conf = os.path.join(workdir, name + ".conf")
        with open(conf, "w") as f:
            f.write(config)
        cmd = [BIN, "--headless", "--size", size, "--play-log", self.log, "--cache-dir",
               cache_dir, "--config", conf, "--log-level", "info"] + list(args) + [feed]
        env = dict(os.environ)
        env.setdefault("SDL_AUDIODRIVER", "dummy")
        self.t0 = time.time()
        self.mono0 = time.monotonic()
        self.errf = open(self.err, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.errf, env=env)
        self.code = None

    def events(self, kind=None):
        evs = []
        try:
            with open(self.log, encoding="utf-8") as f:
                for line in f:
                    if line.endswith("\n"):
                        try:
                            evs.append(json.loads(line))
                        except ValueError:
                            pass
        except OSError:
            pass
        return [e for e in evs if kind is None or e.get("event") == kind]

    def wait_for(self, pred, timeout):
        """Polls the play log until pred(events) is true; its value, or None."""
        end = time.monotonic() + timeout
        while True:
            v = pred(self.events())
            if v:
                return v
            if time.monotonic() > end or self.proc.poll() is not None:
                return pred(self.events()) or None
            time.sleep(0.1)

    def stop(self, timeout=15):
        import signal
        import subprocess
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.code = self.proc.wait()
            self.code = "timeout"
        self.errf.close()
        return self.code

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.errf.close()

    def stderr_tail(self, n=2000):
        with open(self.err, "rb") as f:
            return f.read().decode("utf-8", "replace")[-n:]


def ts_seconds(ev):
    """The event's ts as Unix seconds."""
    import datetime
    t = datetime.datetime.strptime(ev["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def read_record(path):
    rec = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    if not lines or lines[0] != "deskplayer-cache 1":
        return None
    for line in lines[1:]:
        k, _, v = line.partition(" ")
        if k:
            rec[k] = v
    return rec


def _is_record_name(fn):
    return len(fn) == 69 and fn.endswith(".meta") and \
        all(c in "0123456789abcdef" for c in fn[:64])


def check_cache(cache_dir, running=False):
    """Problems found in a cache dir: a record whose file does not match its
    size and SHA-256, temp files (unless running: an atomic write may be in
    flight), parts without their record. [] when sound.
    Returns (problems, urls listed in the index)."""
    problems, urls = [], []
    idx = os.path.join(cache_dir, "index")
    media = os.path.join(cache_dir, "media")
    for root, _, files in os.walk(cache_dir):
        for fn in files:
            if ".tmp." in fn and not running:
                problems.append("temp file " + os.path.join(root, fn))
    if os.path.isdir(idx):
        for fn in sorted(os.listdir(idx)):
            if not _is_record_name(fn):
                if ".tmp." not in fn:
                    problems.append("stray file in index: " + fn)
                continue
            try:
                rec = read_record(os.path.join(idx, fn))
            except OSError:
                continue   # removed meanwhile (running)
            if rec is None or "url" not in rec:
                problems.append("bad record " + fn)
                continue
            mp = os.path.join(media, fn[:-5])
            try:
                with open(mp, "rb") as f:
                    data = f.read()
            except OSError:
                if not (running and not os.path.exists(os.path.join(idx, fn))):
                    problems.append("record without file: " + rec["url"])
                continue
            if len(data) != int(rec.get("size", -1)):
                problems.append("size mismatch: " + rec["url"])
            elif hashlib.sha256(data).hexdigest() != rec.get("sha256"):
                problems.append("sha256 mismatch: " + rec["url"])
            urls.append(rec["url"])
    if os.path.isdir(media):
        for fn in os.listdir(media):
            if fn.endswith(".part") and not running and \
                    not os.path.exists(os.path.join(media, fn[:-5] + ".pmeta")):
                problems.append("part without validator: " + fn)
    return problems, urls


def temp_bytes(cache_dir):
    """Bytes in temp files and in parts that cannot be resumed (call it when
    the player is not running)."""
    total = 0
    for root, _, files in os.walk(cache_dir):
        for fn in files:
            p = os.path.join(root, fn)
            if ".tmp." in fn or (fn.endswith(".part") and
                                 not os.path.exists(p[:-5] + ".pmeta")):
                try:
                    total += os.path.getsize(p)
                except OSError:
                    pass
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--root")
    ap.add_argument("--mode", action="append", default=[], help="PATH=MODE")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    srv = FaultServer(port=args.port, tls=tuple(args.tls) if args.tls else None,
                      root=args.root)
    for m in args.mode:
        p, _, mode = m.partition("=")
        srv.set_mode(p, mode)
    srv.start()
    print("PORT %d" % srv.port, flush=True)
    try:
        while sys.stdin.read(1):
            pass
    except KeyboardInterrupt:
        pass
    srv.stop()


if __name__ == "__main__":
    main()
