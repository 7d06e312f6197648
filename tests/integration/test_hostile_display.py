"""Issue 8: margins and output sizes that used to write outside the canvas.

An image post with a caption and a link (QR code) is drawn at absurd
geometries: --size 1x1, 1x1000, 1000x1, and the largest margin the config
accepts. Under the ASan build (ctest in build-asan) a write outside a canvas
is a crash; in the plain build the old shade() died with SIGSEGV at 1x1.
Margins that leave less than a quarter of the output and sizes above
7680x4320 are refused with exit 2 and a message naming the key.
"""
import json
import os

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("hostile-display")
dptest.make_image(os.path.join(work, "blue.png"), 320, 200, "blue")
feed = os.path.join(work, "feed.json")
with open(feed, "w") as f:
    json.dump({"version": "https://jsonfeed.org/version/1.1", "title": "geometry",
               "items": [{"id": "pic", "content_text": "A caption that wraps over lines " * 3,
                          "url": "https://example.org/post/1",
                          "attachments": [{"url": "blue.png", "mime_type": "image/png"}]},
                         {"id": "card", "title": "Title", "content_text": "A text card",
                          "url": "https://example.org/post/2"}]}, f)


def play(name, size, conf_text=""):
    d = os.path.join(work, name)
    os.makedirs(d)
    conf = dptest.write_config(os.path.join(d, "c.conf"), "[display]\nshow_qr = true\n" +
                               conf_text)
    return dptest.run_player(feed, d, config=conf, size=size, args=["--cycles", "1"],
                             timeout=180)


for name, size, extra in [("tiny", "1x1", ""), ("thin", "1x1000", ""),
                          ("flat", "1000x1", ""), ("margin", "640x360", "margin = 90\n"),
                          ("margin-tiny", "4x4", "margin = 1\n")]:
    r = play(name, size, extra)
    check(r.code == 0, "%s (%s, %s): exit 0, got %s" % (name, size, extra.strip() or "no margin",
                                                         r.code))
    check(set(r.shown_items()) >= {"pic#1", "card"}, "%s: both items shown, got %s"
          % (name, r.shown_items()))
    check("ERROR: AddressSanitizer" not in r.stderr, "%s: no ASan report" % name)

r = play("margin-refused", "640x360", "margin = 400\n")
check(r.code == 2 and "margin" in r.stderr and "90" in r.stderr,
      "margin 400 at 640x360 refused (exit 2, names the key and the bound): %s %r"
      % (r.code, r.stderr[-200:]))
r = play("size-refused", "16384x16384")
check(r.code == 2 and "--size" in r.stderr, "--size 16384x16384 refused: %s" % r.code)
r = play("cfg-size-refused", "640x360", "size = 7681x100\n")
check(r.code == 2 and "[display] size" in r.stderr, "[display] size 7681x100 refused: %s"
      % r.code)
dptest.finish()
