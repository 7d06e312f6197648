"""Generators of hostile media for issue 8's tests (Python standard library).

Each function writes a small file whose header or structure asks a decoder
for far more than it is worth; the tests play them and check the cost from
outside the process. Run as a script to write them all into a folder:

    python3 tests/integration/hostile.py OUTDIR
"""
import os
import struct
import sys
import zlib


# ---- GIF ------------------------------------------------------------------------

def gif_frame_bomb(path, frame_w=30000, frame_h=30000):
    """A 10x10 logical screen holding one frame that claims frame_w x frame_h
    (66 bytes): the decoder allocates the frame's size, not the screen's."""
    data = b"GIF89a" + struct.pack("<HHBBB", 10, 10, 0x80, 0, 0)
    data += b"\x00\x00\x00\xff\xff\xff"                    # 2-colour global table
    data += b"\x2c" + struct.pack("<HHHHB", 0, 0, frame_w, frame_h, 0)
    data += b"\x02" + b"\x02\x4c\x01" + b"\x00"            # LZW: clear, 0, end
    data += b"\x3b"
    with open(path, "wb") as f:
        f.write(data)
    return path


def gif_honest(path, w=10, h=10):
    """The same picture with a frame the size of its screen."""
    data = b"GIF89a" + struct.pack("<HHBBB", w, h, 0x80, 0, 0)
    data += b"\x00\x00\x00\xff\xff\xff"
    data += b"\x2c" + struct.pack("<HHHHB", 0, 0, w, h, 0)
    data += b"\x02" + b"\x02\x4c\x01" + b"\x00" + b"\x3b"
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---- WebP -------------------------------------------------------------------------

def _chunk_le(kind, body):
    pad = b"\0" if len(body) & 1 else b""
    return kind + struct.pack("<I", len(body)) + body + pad


def webp_frame_bomb(path):
    """An extended WebP with a 16x16 canvas whose lossless bitstream claims
    16384x16384 (268 MP)."""
    vp8x = struct.pack("<B3s", 0, b"\0\0\0") + (15).to_bytes(3, "little") + \
        (15).to_bytes(3, "little")
    bits = (16383) | (16383 << 14)
    vp8l = b"\x2f" + struct.pack("<I", bits) + b"\0" * 16
    body = b"WEBP" + _chunk_le(b"VP8X", vp8x) + _chunk_le(b"VP8L", vp8l)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


# ---- JPEG ---------------------------------------------------------------------------

class _Bits:
    """MSB-first bit writer with JPEG byte stuffing (0xFF -> 0xFF 0x00)."""

    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value, nbits):
        for i in range(nbits - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self._byte(self.acc)
                self.acc = self.n = 0

    def _byte(self, b):
        self.out.append(b)
        if b == 0xFF:
            self.out.append(0)

    def flush(self):
        if self.n:
            self.put((1 << (8 - self.n)) - 1, 8 - self.n)   # pad with ones
        return bytes(self.out)


def _segment(marker, body):
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def _dht(tclass, tid, symbol):
    """A table with one code, '0' (length 1), for symbol."""
    counts = bytes([1] + [0] * 15)
    return _segment(0xC4, bytes([(tclass << 4) | tid]) + counts + bytes([symbol]))


def jpeg_progressive(path, w=10000, h=10000, scans=2650, components=1):
    """A progressive JPEG (greyscale, or three components at full
    resolution): one DC scan per component, then `scans` AC scans per
    component made of end-of-block runs. scans=1 is an honest flat picture;
    thousands make a scan bomb: each scan costs the decoder a pass over
    every block (the issue's file: ~2,650 scans, 52 s of CPU)."""
    blocks = ((w + 7) // 8) * ((h + 7) // 8)
    out = bytearray(b"\xff\xd8")
    out += _segment(0xDB, b"\x00" + bytes([1] * 64))                  # DQT
    comps = b"".join(bytes([i + 1, 0x11, 0]) for i in range(components))
    out += _segment(0xC2, struct.pack(">BHHB", 8, h, w, components) + comps)  # SOF2
    out += _dht(0, 0, 0)                                                 # DC: category 0
    out += _dht(1, 0, 0xE0)                                              # AC: EOB run, r=14
    # DC first scans: every block's difference is 0 (one '0' bit each).
    dc = _Bits()
    for _ in range(blocks):
        dc.put(0, 1)
    dc_data = dc.flush()
    # AC scans: EOBRUN symbols (14 extra bits) covering every block.
    ac = _Bits()
    left = blocks
    while left > 0:
        run = max(16384, min(left, 32767))   # the last run may pass the end
        ac.put(0, 1)
        ac.put(run - 16384, 14)
        left -= run
    ac_data = ac.flush()
    for c in range(components):
        out += _segment(0xDA, bytes([1, c + 1, 0x00, 0, 0, 0])) + dc_data
    for _ in range(scans):
        for c in range(components):
            out += _segment(0xDA, bytes([1, c + 1, 0x00, 1, 63, 0])) + ac_data
    out += b"\xff\xd9"
    with open(path, "wb") as f:
        f.write(bytes(out))
    return path


# ---- PNG (a reference honest picture without external tools) -----------------------

def png_solid(path, w, h, rgb=(0, 0, 255)):
    row = b"\0" + bytes(rgb) * w
    raw = zlib.compress(row * h, 9)

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return path


def png_heavy(path, w=7000, h=5700, depth=16, interlace=True):
    """An honest but costly PNG near DP_IMAGE_MAX_PIXELS_FULL: 16-bit RGBA,
    Adam7-interlaced, every row Paeth-filtered, in IDAT chunks of 8 KB. It
    compresses to a few hundred KB (the pixels vary slowly) but decodes for
    seconds: nothing in it is damaged, only its cost is high."""
    bpp = 4 * depth // 8
    passes = ([(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
               (1, 0, 2, 2), (0, 1, 1, 2)] if interlace else [(0, 0, 1, 1)])
    z = zlib.compressobj(6)
    parts = []
    for x0, y0, dx, dy in passes:
        pw, ph = (w - x0 + dx - 1) // dx, (h - y0 + dy - 1) // dy
        if pw <= 0 or ph <= 0:
            continue
        # Paeth rows of a gentle ramp: the unfiltering runs on every byte.
        row = b"\x04" + bytes(((i * 7) & 0x3F) + 1 for i in range(pw * bpp))
        for _ in range(ph):
            parts.append(z.compress(row))
    parts.append(z.flush())
    data = b"".join(parts)

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, 6, 0, 0, int(interlace))))
        for i in range(0, len(data), 8192):
            f.write(chunk(b"IDAT", data[i:i + 8192]))
        f.write(chunk(b"IEND", b""))
    return path


def _box(kind, body, version=None, flags=0):
    if version is not None:
        body = struct.pack(">I", version << 24 | flags) + body
    return struct.pack(">I4s", 8 + len(body), kind) + body


def heic_grid(path, cols=12, rows=12):
    """An honest but costly HEIC: a grid image (what phones write) of
    cols x rows 512x512 HEVC tiles, all the same tile (one copy in mdat),
    6144x6144 = 37.7 MP for 12 x 12. The tile is made by /usr/bin/convert
    (libheif's x265 encoder); returns None when it cannot be made."""
    import subprocess
    import tempfile
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit"))
    from make_image_fixtures import boxes
    with tempfile.TemporaryDirectory() as tmp:
        tile = os.path.join(tmp, "tile.heic")
        if subprocess.run(["/usr/bin/convert", "-size", "512x512", "plasma:fractal", "-quality",
                           "90", tile], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            return None
        d = open(tile, "rb").read()
    ms, mh, me = next((s, h, e) for k, s, h, e in boxes(d, 0, len(d)) if k == b"meta")
    meta = {k: (s, h, e) for k, s, h, e in boxes(d, ms + mh + 4, me)}
    ps, ph, pe = meta[b"iprp"]
    cs, ch, ce = next((s, h, e) for k, s, h, e in boxes(d, ps + ph, pe) if k == b"ipco")
    props = {k: d[s:e] for k, s, h, e in boxes(d, cs + ch, ce)}
    tw, th = struct.unpack(">II", props[b"ispe"][12:20])
    # The tile's one extent (iloc version 0 or 1): base offset + extent offset.
    ls, lh, _ = meta[b"iloc"]
    ver, j = d[ls + lh], ls + lh + 4
    osz, lsz, bsz = d[j] >> 4, d[j] & 15, d[j + 1] >> 4
    j += 2 + 2 + 2 + (2 if ver == 1 else 0) + 2  # sizes, count, id, method, data ref

    def num(n):
        nonlocal j
        j += n
        return int.from_bytes(d[j - n:j], "big")
    base = num(bsz)
    if num(2) != 1:
        return None
    off = base + num(osz)
    data = d[off:off + num(lsz)]
    tiles = list(range(2, 2 + cols * rows))
    grid = struct.pack(">BBBBHH", 0, 0, rows - 1, cols - 1, tw * cols, th * rows)
    infe = _box(b"infe", struct.pack(">HH4sx", 1, 0, b"grid"), 2)
    infe += b"".join(_box(b"infe", struct.pack(">HH4sx", t, 0, b"hvc1"), 2, 1) for t in tiles)
    ipco = _box(b"ipco", props[b"hvcC"] + _box(b"ispe", struct.pack(">II", tw, th), 0) +
                _box(b"ispe", struct.pack(">II", tw * cols, th * rows), 0))
    assoc = struct.pack(">HBB", 1, 1, 3) + b"".join(struct.pack(">HBBB", t, 2, 0x81, 2)
                                                     for t in tiles)
    fixed = (_box(b"hdlr", b"\0" * 4 + b"pict" + b"\0" * 13, 0) + _box(b"pitm", b"\0\1", 0),
             _box(b"iinf", struct.pack(">H", 1 + len(tiles)) + infe, 0) +
             _box(b"iref", _box(b"dimg", struct.pack(">HH", 1, len(tiles)) +
                                b"".join(struct.pack(">H", t) for t in tiles)), 0) +
             _box(b"iprp", ipco + _box(b"ipma", struct.pack(">I", 1 + len(tiles)) + assoc, 0)) +
             _box(b"idat", grid))

    def head(at):
        # iloc v1: the grid from idat (method 1), every tile the one copy at `at`.
        items = struct.pack(">HHHHII", 1, 1, 0, 1, 0, len(grid))
        items += b"".join(struct.pack(">HHHHII", t, 0, 0, 1, at, len(data)) for t in tiles)
        iloc = _box(b"iloc", b"\x44\0" + struct.pack(">H", 1 + len(tiles)) + items, 1)
        return (_box(b"ftyp", b"heic\0\0\0\0mif1heic") +
                _box(b"meta", fixed[0] + iloc + fixed[1], 0))
    first = head(0)
    with open(path, "wb") as f:
        f.write(head(len(first) + 8) + _box(b"mdat", data))
    return path


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    gif_frame_bomb(os.path.join(outdir, "gif-frame-bomb.gif"))
    gif_honest(os.path.join(outdir, "gif-honest.gif"))
    webp_frame_bomb(os.path.join(outdir, "webp-frame-bomb.webp"))
    jpeg_progressive(os.path.join(outdir, "jpeg-scan-bomb.jpg"))
    jpeg_progressive(os.path.join(outdir, "jpeg-honest.jpg"), scans=1)
    jpeg_progressive(os.path.join(outdir, "jpeg-colour-bomb.jpg"), components=3)
    jpeg_progressive(os.path.join(outdir, "jpeg-colour-honest.jpg"), scans=1, components=3)
    jpeg_progressive(os.path.join(outdir, "jpeg-scan-bomb-small.jpg"), 2000, 2000, 2650)
    png_heavy(os.path.join(outdir, "png-heavy.png"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")


# ---- running the player with its cost measured from outside ----------------------

def run_measured(feed, workdir, config=None, args=(), timeout=180, size="640x360"):
    """Runs the binary headless like dptest.run_player and reaps it with
    wait4, so that its own peak memory is known. Returns (Run, max RSS in KB)."""
    import signal
    import subprocess
    import threading
    import time

    import dptest
    log = os.path.join(workdir, "play.log")
    if os.path.exists(log):
        os.unlink(log)
    cmd = [dptest.BIN, "--headless", "--size", size, "--play-log", log,
           "--cache-dir", os.path.join(workdir, "cache")]
    if config:
        cmd += ["--config", config]
    cmd += list(args) + [feed]
    env = dict(os.environ)
    env.setdefault("SDL_AUDIODRIVER", "dummy")
    env.pop("DESKPLAYER_CONFIG", None)
    err_path = os.path.join(workdir, "stderr.txt")
    with open(err_path, "wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        killer = threading.Timer(timeout, lambda: os.kill(proc.pid, signal.SIGKILL))
        killer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - t0
    with open(err_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    run = dptest.Run(proc.returncode, dptest.read_log(log), text, None, seconds)
    return run, usage.ru_maxrss


def sigterm_after_poll(feed, workdir, delay=0.3, size="640x360", timeout=120):
    """Starts the binary headless on feed, sends SIGTERM `delay` seconds after
    its first poll event, and returns (exit code, seconds from the signal to
    the exit)."""
    import signal
    import subprocess
    import time

    import dptest
    log = os.path.join(workdir, "term.log")
    if os.path.exists(log):
        os.unlink(log)
    proc = subprocess.Popen([dptest.BIN, "--headless", "--size", size, "--play-log", log,
                             "--cache-dir", os.path.join(workdir, "cache-term"), feed],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, SDL_AUDIODRIVER="dummy"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(e.get("event") == "poll" for e in dptest.read_log(log)):
            break
        time.sleep(0.05)
    time.sleep(delay)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    return code, time.monotonic() - t0


def event_seconds(event):
    """The play-log timestamp of event, in seconds (for differences)."""
    import datetime
    t = datetime.datetime.strptime(event["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.timestamp()


def image_feed(path, items):
    """A JSON Feed of (id, file name, mime type) image posts, written to path."""
    import json
    with open(path, "w") as f:
        json.dump({"version": "https://jsonfeed.org/version/1.1", "title": "hostile",
                   "items": [{"id": i, "content_text": "",
                              "attachments": [{"url": name, "mime_type": mime}]}
                             for i, name, mime in items]}, f)
    return path


def pinned_feed(path, posts=4000, media=20, base="http://127.0.0.1:9/m"):
    """A feed of `posts` pinned posts with `media` attachments each (~3.5 MB
    for the issue's 4,000 x 20): the wanted-media list had a nested loop on
    the drawing thread, and pinned posts escaped both caps."""
    import json
    items = []
    for i in range(posts):
        items.append({"id": "p%d" % i, "content_text": "post %d" % i,
                      "_signage": {"pinned": True},
                      "attachments": [{"url": "%s/%d-%d.png" % (base, i, j),
                                       "mime_type": "image/png"} for j in range(media)]})
    with open(path, "w") as f:
        json.dump({"version": "https://jsonfeed.org/version/1.1", "title": "pinned",
                   "items": items}, f)
    return path
