"""Shared helpers for deskplayer's integration tests.

Every test runs the real binary ($DP_BIN) headless against servers it starts
itself on 127.0.0.1, then judges the play log and the snapshot pixels.
Python's standard library only.
"""
import http.server
import json
import os
import shutil
import signal
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

BIN = os.environ.get("DP_BIN", "")
SOURCE = os.environ.get("DP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(SOURCE, "tests", "fixtures")
SKIP = 77

failures = []


def check(cond, what):
    """Records a failed expectation without stopping the test."""
    if cond:
        print("ok   " + what)
    else:
        print("FAIL " + what)
        failures.append(what)
    return cond


def finish():
    if failures:
        print("%d failed" % len(failures))
        sys.exit(1)
    print("all checks passed")
    sys.exit(0)


def require_binary():
    if not BIN or not os.access(BIN, os.X_OK):
        print("DP_BIN not set or not executable; skipping")
        sys.exit(SKIP)
    if not shutil.which("ffmpeg"):
        print("ffmpeg CLI missing; skipping")
        sys.exit(SKIP)


def tempdir(name="dp"):
    d = tempfile.mkdtemp(prefix=name + "-")
    return d


# ---- media made with the ffmpeg command line ---------------------------------

def make_image(path, w, h, color="red", extra=None):
    """A solid-colour picture (png, jpg or webp by its extension)."""
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
           "color=c=%s:s=%dx%d" % (color, w, h), "-frames:v", "1"]
    if extra:
        cmd += extra
    subprocess.run(cmd + [path], check=True)
    return path


# ---- a loopback HTTP server ---------------------------------------------------

class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):  # quiet
        self.server.requests.append(self.path)

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FileServer:
    """Serves a folder on 127.0.0.1 at a port the OS picks."""

    def __init__(self, root):
        handler = lambda *a, **kw: _Handler(*a, directory=root, **kw)  # noqa: E731
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.httpd.requests = []
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d/%s" % (self.port, path.lstrip("/"))

    @property
    def requests(self):
        return self.httpd.requests

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# ---- running the player ----------------------------------------------------------

class Run:
    def __init__(self, code, events, stderr, snapdir, seconds):
        self.code = code
        self.events = events
        self.stderr = stderr
        self.snapdir = snapdir
        self.seconds = seconds

    def of(self, kind):
        return [e for e in self.events if e.get("event") == kind]

    def shown_items(self):
        return [e["item"] for e in self.of("show")]

    def snapshot(self, item):
        """The PNG written for the first show of item."""
        for e in self.of("show"):
            if e["item"] == item and "snapshot" in e:
                return read_png(os.path.join(self.snapdir, e["snapshot"]))
        return None


def write_config(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def run_player(feed, workdir, config=None, args=(), timeout=120, size="640x360",
               snapshots=True, env_extra=None):
    """Runs the binary headless until it exits (or timeout), returns a Run."""
    log = os.path.join(workdir, "play.log")
    if os.path.exists(log):
        os.unlink(log)
    snapdir = os.path.join(workdir, "snaps-%d" % int(time.time() * 1000))
    cmd = [BIN, "--headless", "--size", size, "--play-log", log,
           "--cache-dir", os.path.join(workdir, "cache")]
    if snapshots:
        cmd += ["--snapshot-dir", snapdir]
    if config:
        cmd += ["--config", config]
    cmd += list(args) + [feed]
    env = dict(os.environ)
    env.setdefault("SDL_AUDIODRIVER", "dummy")
    env.pop("DESKPLAYER_CONFIG", None)
    if env_extra:
        env.update(env_extra)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        print("player timed out after %ds: %s" % (timeout, " ".join(cmd)))
    seconds = time.monotonic() - t0
    events = read_log(log)
    text = err.decode("utf-8", "replace")
    if proc.returncode != 0:
        print(text[-3000:])
    return Run(proc.returncode, events, text, snapdir, seconds)


def read_log(path):
    events = []
    if not os.path.exists(path):
        return events
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                events.append(json.loads(line))
    return events


# ---- PNG reading (8-bit RGB/RGBA, non-interlaced: what SDL_image writes) ---------

class Image:
    def __init__(self, w, h, channels, rows):
        self.w, self.h, self.channels, self.rows = w, h, channels, rows

    def pixel(self, x, y):
        row = self.rows[y]
        i = x * self.channels
        return tuple(row[i:i + 3])

    def distinct_colours(self, step=4):
        seen = set()
        for y in range(0, self.h, step):
            for x in range(0, self.w, step):
                seen.add(self.pixel(x, y))
        return seen

    def fraction(self, pred, step=4):
        n = hit = 0
        for y in range(0, self.h, step):
            for x in range(0, self.w, step):
                n += 1
                hit += 1 if pred(self.pixel(x, y)) else 0
        return hit / max(n, 1)


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG: " + path
    pos = 8
    idat = b""
    w = h = ctype = None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and ctype in (2, 6), "unsupported PNG"
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    channels = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * channels
    rows = []
    prev = bytearray(stride)
    p = 0
    for _ in range(h):
        ftype = raw[p]
        line = bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return Image(w, h, channels, rows)


def near(rgb, want, tol=40):
    return all(abs(a - b) <= tol for a, b in zip(rgb, want))


# ---- a real MQTT broker (the Debian mosquitto), for push tests -----------------

def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def require_mosquitto():
    for tool in ("/usr/sbin/mosquitto", "mosquitto_pub"):
        if not (os.access(tool, os.X_OK) or shutil.which(tool)):
            print("%s missing (apt-get install mosquitto mosquitto-clients); skipping" % tool)
            sys.exit(SKIP)


class Broker:
    """mosquitto on 127.0.0.1 at a port picked here; kill() and start() again
    keep the port. users: {name: password} turns anonymous access off."""

    def __init__(self, workdir, users=None, tls=None):
        self.dir = workdir
        self.tls = tls
        self.port = free_port()
        self.proc = None
        self.conf = os.path.join(workdir, "mosquitto-%d.conf" % self.port)
        import pwd
        # As root, mosquitto would drop to its own user, who cannot read here.
        lines = ["listener %d 127.0.0.1" % self.port, "persistence false",
                 "user " + pwd.getpwuid(os.getuid()).pw_name]
        if users:
            pw = os.path.join(workdir, "passwd-%d" % self.port)
            open(pw, "w").close()
            for name, password in users.items():
                subprocess.run(["mosquitto_passwd", "-b", pw, name, password], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            lines += ["allow_anonymous false", "password_file " + pw]
        else:
            lines += ["allow_anonymous true"]
        if tls:   # (certfile, keyfile): mqtts on the same port
            lines += ["certfile " + tls[0], "keyfile " + tls[1]]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.start()

    def start(self):
        exe = "/usr/sbin/mosquitto" if os.access("/usr/sbin/mosquitto", os.X_OK) else "mosquitto"
        self.log = open(os.path.join(self.dir, "mosquitto-%d.log" % self.port), "ab")
        self.proc = subprocess.Popen([exe, "-c", self.conf], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        import socket
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc:
            self.log.close()
        self.proc = None

    def url(self, topic, login=""):
        return "%s://%s127.0.0.1:%d/%s" % ("mqtts" if self.tls else "mqtt",
                                           login + "@" if login else "", self.port, topic)

    def publish(self, topic, message="new", count=1, login=None):
        """mosquitto_pub, as a publisher would; count > 1 sends that many
        messages over one connection (-l: one per line)."""
        cmd = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(self.port), "-t", topic]
        if self.tls:
            cmd += ["--cafile", self.tls[0]]
        if login:
            cmd += ["-u", login[0], "-P", login[1]]
        if count == 1:
            subprocess.run(cmd + ["-m", message], check=True)
        else:
            subprocess.run(cmd + ["-l"], input=("%s\n" % message * count).encode(), check=True)
