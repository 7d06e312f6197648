"""Screen power with [schedule] on_hours (issue 12), from the real binary:
outside the hours the player tells every way it has to put the screen to
sleep, once, after the black frame, and the log says which took it. Here:
headless (no way: black only), [display] cec = true without a CEC adapter
(a warning, never a failure), and a window under Xvfb, where the X11 path is
taken (Xvfb has no DPMS extension, which the player reports). The frames and
DRM calls themselves are unit-tested (test_system_screen_power)."""
import datetime
import os
import shutil
import subprocess
import time

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("power")
feed = os.path.join(dptest.SOURCE, "assets", "demo", "feed.json")
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
open_day = days[(datetime.datetime.now().weekday() + 2) % 7]
CLOSED = "[schedule]\non_hours = %s 00:00-24:00\n[status]\nlisten =\n" % open_day

conf = dptest.write_config(os.path.join(work, "closed.conf"), CLOSED)
run = dptest.run_player(feed, work, conf, ["--run-for", "2"], size="320x240", snapshots=False)
asleep = [l for l in run.stderr.splitlines() if "[screen] screen asleep" in l]
check(run.code == 0, "headless, closed: exits 0")
check(len(asleep) == 1 and "no way to power it" in asleep[0],
      "headless, closed: told once, black only: %s" % asleep)

conf = dptest.write_config(os.path.join(work, "cec.conf"), CLOSED + "[display]\ncec = true\n")
run = dptest.run_player(feed, work, conf, ["--run-for", "2"], size="320x240", snapshots=False)
check(run.code == 0, "cec = true: exits 0")
if not os.path.exists("/dev/cec0"):
    check("[display] cec: cannot open /dev/cec0" in run.stderr,
          "cec = true without /dev/cec0: a warning")
check(any("[screen] screen asleep" in l for l in run.stderr.splitlines()),
      "cec = true: the screen is told to sleep")

xvfb = shutil.which("Xvfb")
if xvfb:
    display = ":%d" % (90 + os.getpid() % 100)
    x = subprocess.Popen([xvfb, display, "-screen", "0", "640x480x24", "-nolisten", "tcp"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    conf = dptest.write_config(os.path.join(work, "x11.conf"), CLOSED)
    env = dict(os.environ, DISPLAY=display, SDL_VIDEODRIVER="x11", SDL_AUDIODRIVER="dummy")
    env.pop("DESKPLAYER_CONFIG", None)
    r = subprocess.run([dptest.BIN, "--windowed", "320x240", "--run-for", "2", "--config", conf,
                        "--cache-dir", os.path.join(work, "xcache"), feed],
                       capture_output=True, text=True, env=env, timeout=120)
    x.terminate()
    x.wait()
    if "cannot open a display" in r.stderr:
        print("Xvfb did not come up: X11 not judged")
    else:
        check(r.returncode == 0, "X11, closed: exits 0")
        check("screen asleep: X11 DPMS" in r.stderr or "X11: the display has no DPMS" in r.stderr,
              "X11, closed: the X11 DPMS path is taken: %s" %
              [l for l in r.stderr.splitlines() if "[screen]" in l])
else:
    print("no Xvfb: X11 not judged")
dptest.finish()
