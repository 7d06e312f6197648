"""`cmake --install` into a staging folder (DESTDIR), as the Debian package
does (issue 12): the unit is installed with ExecStart at the prefix,
verifies with systemd-analyze and keeps its hardening (exposure figure
printed); the installed binary finds its data beside itself
(<bin>/../share/deskplayer) and plays the demo from there. The .deb itself is
checked by `make test-deb` (tests/package/test_deb.py)."""
import os
import shutil
import subprocess
import sys

import dptest
from dptest import check

sys.path.insert(0, os.path.join(dptest.SOURCE, "tests", "package"))
import pkgcheck  # noqa: E402

dptest.require_binary()
build = os.environ.get("DP_BUILD_DIR", "")
if not build or not os.path.exists(os.path.join(build, "CMakeCache.txt")):
    print("DP_BUILD_DIR not set; skipping")
    sys.exit(dptest.SKIP)
prefix = "/usr/local"
with open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8") as f:
    for line in f:
        if line.startswith("CMAKE_INSTALL_PREFIX:"):
            prefix = line.split("=", 1)[1].strip()
stage = dptest.tempdir("stage")
env = dict(os.environ, DESTDIR=stage)
r = subprocess.run(["cmake", "--install", build], env=env, capture_output=True, text=True)
check(r.returncode == 0, "cmake --install (prefix %s) into a staging folder" % prefix)
if r.returncode != 0:
    print(r.stdout[-2000:], r.stderr[-2000:])
    dptest.finish()
units = [os.path.join(d, f) for d, _, fs in os.walk(stage) for f in fs
         if f == "deskplayer.service"]
check(len(units) == 1, "one unit installed: %s" % units)
if units:
    exposure = pkgcheck.check_unit(units[0], stage, prefix.strip("/") + "/bin/deskplayer")
    print("exposure: %s" % exposure)
pkgcheck.check_run_in_place(stage, prefix.strip("/"))
shutil.rmtree(stage, ignore_errors=True)
dptest.finish()
