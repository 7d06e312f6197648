#!/usr/bin/env python3
"""Test-time fixtures for test_media_formats (issue 10), written into OUTDIR.

Needs ImageMagick's /usr/bin/convert (HEIC and AVIF through libheif) and
ffmpeg (animated WebP); each file that cannot be made is left out, and the
test skips that case. The EXIF blocks are written here by hand so that the
orientation tag is exactly the one under test.

  base.png      64x32, left half red, right half blue
  o6.webp       base turned left, as a lossless WebP in an extended (VP8X)
                file with an EXIF chunk: orientation 6 turns it back
  o3.png        base upside down, with an eXIf chunk: orientation 3
  t.heic t.avif base at 320x160 in HEIC and AVIF
  irot.heic     base turned right, with an irot box that turns it back
  anim.gif      three 64x64 frames (red, green, blue), 0.2 s each, looping
  anim.webp     the same as an animated WebP
  small.png     100x68 grey
  p12.jpg       an 8-bit JPEG whose frame header claims 12-bit samples
"""
import os
import struct
import subprocess
import sys
import zlib

CONVERT = "/usr/bin/convert"


def run(*args):
    return subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def exif_block(orientation):
    # Big-endian TIFF header, IFD0 with a single Orientation (0x0112) SHORT.
    ifd = struct.pack(">H", 1) + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)
    ifd += struct.pack(">I", 0)
    return b"MM\x00*" + struct.pack(">I", 8) + ifd


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_exif(src, dst, orientation):
    d = open(src, "rb").read()
    ihdr_end = 8 + 12 + struct.unpack(">I", d[8:12])[0]
    out = d[:ihdr_end] + png_chunk(b"eXIf", exif_block(orientation)) + d[ihdr_end:]
    open(dst, "wb").write(out)


def riff_chunk(fourcc, data):
    pad = b"\x00" if len(data) & 1 else b""
    return fourcc + struct.pack("<I", len(data)) + data + pad


def webp_with_exif(src, dst, w, h, orientation):
    d = open(src, "rb").read()
    assert d[:4] == b"RIFF" and d[8:12] == b"WEBP"
    image = d[12:]                      # the VP8/VP8L chunk(s) as they are
    flags = 0x08                        # EXIF present
    vp8x = struct.pack("<B3x", flags) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little")
    body = b"WEBP" + riff_chunk(b"VP8X", vp8x) + image + riff_chunk(b"EXIF", exif_block(orientation))
    open(dst, "wb").write(b"RIFF" + struct.pack("<I", len(body)) + body)


def boxes(d, start, end):
    """(type, start, header size, end) of each ISO BMFF box in d[start:end]."""
    out, i = [], start
    while i + 8 <= end:
        size, kind = struct.unpack(">I4s", d[i:i + 8])
        head = 8
        if size == 1:
            size, head = struct.unpack(">Q", d[i + 8:i + 16])[0], 16
        elif size == 0:
            size = end - i
        out.append((kind, i, head, i + size))
        i += size
    return out


def heic_add_irot(src, dst, angle):
    """Adds an irot property (angle x 90 degrees anticlockwise) to the
    primary item of a HEIF file: box sizes and iloc offsets are fixed up."""
    d = bytearray(open(src, "rb").read())
    top = {k: (s, h, e) for k, s, h, e in boxes(d, 0, len(d))}
    ms, mh, me = top[b"meta"]
    kids = {k: (s, h, e) for k, s, h, e in boxes(d, ms + mh + 4, me)}
    ps, ph, pe = kids[b"iprp"]
    props = {k: (s, h, e) for k, s, h, e in boxes(d, ps + ph, pe)}
    cs, ch, ce = props[b"ipco"]
    n_props = len(boxes(d, cs + ch, ce))
    pitm = kids[b"pitm"]
    primary = struct.unpack(">H", d[pitm[0] + 12:pitm[0] + 14])[0]
    irot = struct.pack(">I4sB", 9, b"irot", angle & 3)
    # ipma: version/flags, count, then per item: id (16 bit), n, n x u8.
    ams, amh, ame = props[b"ipma"]
    ver_flags = struct.unpack(">I", d[ams + amh:ams + amh + 4])[0]
    assert ver_flags >> 24 == 0 and not ver_flags & 1
    i = ams + amh + 8
    count = struct.unpack(">I", d[ams + amh + 4:ams + amh + 8])[0]
    ipma = bytearray(d[ams:ame])
    for _ in range(count):
        item, n = struct.unpack(">HB", d[i:i + 3])
        if item == primary:
            at = i - ams + 3 + n
            ipma[i - ams + 2] = n + 1
            ipma[at:at] = bytes([0x80 | (n_props + 1)])
            break
        i += 3 + n
    struct.pack_into(">I", ipma, 0, len(ipma))
    delta = len(irot) + len(ipma) - (ame - ams)
    # Rebuild meta from the inside out.
    ipco = d[cs:ce] + irot
    struct.pack_into(">I", ipco, 0, len(ipco))
    iprp_body = bytearray()
    for k, s, h, e in boxes(d, ps + ph, pe):
        iprp_body += ipco if k == b"ipco" else ipma if k == b"ipma" else d[s:e]
    iprp = d[ps:ps + ph] + iprp_body
    struct.pack_into(">I", iprp, 0, len(iprp))
    meta_body = bytearray()
    for k, s, h, e in boxes(d, ms + mh + 4, me):
        meta_body += iprp if k == b"iprp" else d[s:e]
    meta = d[ms:ms + mh + 4] + meta_body
    struct.pack_into(">I", meta, 0, len(meta))
    out = d[:ms] + meta + d[me:]
    # iloc offsets point into mdat, which moved by delta.
    mk = {k: (s, h, e) for k, s, h, e in boxes(out, ms + mh + 4, ms + len(meta))}
    ls, lh, le = mk[b"iloc"]
    v = out[ls + lh]
    j = ls + lh + 4
    osz, lsz = out[j] >> 4, out[j] & 15
    bsz = out[j + 1] >> 4
    j += 2
    n_items = struct.unpack(">H", out[j:j + 2])[0] if v < 2 else struct.unpack(">I", out[j:j + 4])[0]
    j += 2 if v < 2 else 4
    fmt = {0: None, 4: ">I", 8: ">Q"}
    for _ in range(n_items):
        j += 2 if v < 2 else 4
        method = 0
        if v in (1, 2):
            method = struct.unpack(">H", out[j:j + 2])[0] & 15
            j += 2
        j += 2
        base = 0
        if bsz:
            base = struct.unpack(fmt[bsz], out[j:j + bsz])[0]
            if method == 0 and base:
                struct.pack_into(fmt[bsz], out, j, base + delta)
            j += bsz
        ext = struct.unpack(">H", out[j:j + 2])[0]
        j += 2
        for _ in range(ext):
            if osz:
                off = struct.unpack(fmt[osz], out[j:j + osz])[0]
                if method == 0 and not base:
                    struct.pack_into(fmt[osz], out, j, off + delta)
            j += osz + lsz
    open(dst, "wb").write(bytes(out))


def main(out):
    os.makedirs(out, exist_ok=True)
    p = lambda n: os.path.join(out, n)
    run(CONVERT, "-size", "32x32", "xc:red", "-size", "32x32", "xc:blue", "+append",
        "-define", "png:exclude-chunks=date,time", p("base.png"))
    # Stored turned the way each orientation undoes: 6 = turned left (blue
    # on top), 3 = upside down (blue left).
    run(CONVERT, "-size", "32x32", "xc:blue", "xc:red", "-append", p("left.png"))
    run(CONVERT, "-size", "32x32", "xc:blue", "-size", "32x32", "xc:red", "+append",
        "-define", "png:exclude-chunks=date,time", p("flip.png"))
    if run(CONVERT, p("left.png"), "-define", "webp:lossless=true", p("left.webp")):
        webp_with_exif(p("left.webp"), p("o6.webp"), 32, 64, 6)
    png_with_exif(p("flip.png"), p("o3.png"), 3)
    run(CONVERT, p("base.png"), "-scale", "500%", "-quality", "90", p("t.heic"))
    run(CONVERT, p("base.png"), "-scale", "500%", "-quality", "90", p("t.avif"))
    # Stored turned right (red on top); irot 1 turns it 90 degrees back.
    if run(CONVERT, "-size", "160x160", "xc:red", "xc:blue", "-append", "-quality", "90",
           p("right.heic")):
        heic_add_irot(p("right.heic"), p("irot.heic"), 1)
    run(CONVERT, "-delay", "20", "-size", "64x64", "xc:red", "xc:lime", "xc:blue", "-loop", "0",
        p("anim.gif"))
    run("ffmpeg", "-v", "error", "-y", "-i", p("anim.gif"), "-c:v", "libwebp_anim", "-lossless", "1",
        "-loop", "0", p("anim.webp"))
    run(CONVERT, "-size", "100x68", "xc:gray50", p("small.png"))
    if run(CONVERT, "-size", "64x32", "xc:gray50", "-quality", "90", p("p8.jpg")):
        d = bytearray(open(p("p8.jpg"), "rb").read())
        i = 2
        while i + 4 < len(d):
            m, seg = d[i + 1], struct.unpack(">H", d[i + 2:i + 4])[0]
            if m in (0xC0, 0xC1, 0xC2):
                d[i + 4] = 12
                break
            i += 2 + seg
        open(p("p12.jpg"), "wb").write(bytes(d))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
