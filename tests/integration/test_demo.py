"""The bundled demo desk (what `make demo` plays) plays whole: every post of
assets/demo/feed.json is shown, none is skipped, text cards are not blank."""
import json
import os

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("demo")
feed = os.path.join(dptest.SOURCE, "assets", "demo", "feed.json")
with open(feed, encoding="utf-8") as f:
    posts = json.load(f)["items"]
expected = set()
for p in posts:
    media = [a for a in p.get("attachments", []) if a["mime_type"].split("/")[0] in
             ("image", "video")]
    if not media and p.get("image"):
        media = [p["image"]]
    if media:
        expected |= {"%s#%d" % (p["id"], i + 1) for i in range(len(media))}
    else:
        expected.add(p["id"])

config = dptest.write_config(os.path.join(work, "demo.conf"), """
[playback]
image_duration = 1s
text_duration = 1s
[display]
transition_time = 200ms
""")
run = dptest.run_player(feed, work, config, ["--cycles", "1"], size="960x540", timeout=120)
check(run.code == 0, "the demo exits 0 after one cycle")
check(set(run.shown_items()) == expected,
      "every demo item shown: %s" % sorted(run.shown_items()))
check(not run.of("skip"), "nothing skipped: %s" % run.of("skip"))
for e in run.of("show"):
    img = run.snapshot(e["item"])
    if img:
        check(len(img.distinct_colours(step=8)) > 8, "%s is not a flat screen" % e["item"])

# The service unit sets SDL_VIDEODRIVER=kmsdrm; --headless still runs offscreen
# (the environment used to beat the command line: "kmsdrm not available").
run = dptest.run_player(feed, work, config, ["--run-for", "2"], size="320x180",
                        snapshots=False, env_extra={"SDL_VIDEODRIVER": "kmsdrm"})
check(run.code == 0, "--headless with SDL_VIDEODRIVER=kmsdrm exits 0: %s" % run.stderr[-300:])
check(run.of("show"), "--headless with SDL_VIDEODRIVER=kmsdrm shows an item")
dptest.finish()
