"""Checks shared by the package test (test_deb.py, a built .deb) and the
install test (tests/integration/test_install.py, `cmake --install` into a
staging folder): the systemd unit and a run of the installed tree in place.
Python's standard library only; results go through dptest.check."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import dptest  # noqa: E402
from dptest import check  # noqa: E402

# What the unit must say (issue 12): watched, hardened, one writable place.
UNIT_MUST = [
    "Type=notify", "WatchdogSec=30s", "NotifyAccess=main", "User=deskplayer",
    "SupplementaryGroups=video render audio input", "CacheDirectory=deskplayer",
    "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
    "DevicePolicy=closed", "DeviceAllow=char-drm rw", "DeviceAllow=char-alsa rw",
    "DeviceAllow=char-input r", "DeviceAllow=char-cec rw",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
]
MAX_EXPOSURE = 2.5   # systemd-analyze security: 1.7 when written


def check_unit(unit, root, bin_rel="usr/bin/deskplayer"):
    """unit: the installed unit file; root: the tree it was installed in."""
    with open(unit, encoding="utf-8") as f:
        text = f.read()
    lines = set(text.splitlines())
    for want in UNIT_MUST:
        check(want in lines, "unit: %s" % want)
    check("ExecStart=/%s" % bin_rel in lines, "unit: ExecStart=/%s" % bin_rel)
    if not shutil.which("systemd-analyze"):
        print("systemd-analyze missing: unit not verified")
        return None
    # verify checks that ExecStart exists: point it at the staged binary.
    work = dptest.tempdir("unit")
    copy = os.path.join(work, "deskplayer.service")
    with open(copy, "w", encoding="utf-8") as f:
        f.write(text.replace("ExecStart=/" + bin_rel,
                             "ExecStart=" + os.path.join(root, bin_rel)))
    r = subprocess.run(["systemd-analyze", "verify", copy], capture_output=True, text=True)
    out = (r.stdout + r.stderr).strip()
    check(r.returncode == 0 and out == "", "systemd-analyze verify: clean (%r)" % out[-500:])
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes", copy],
                       capture_output=True, text=True)
    m = re.search(r"Overall exposure level for deskplayer.service: ([0-9.]+)", r.stdout)
    exposure = float(m.group(1)) if m else None
    check(exposure is not None and exposure <= MAX_EXPOSURE,
          "systemd-analyze security --offline=yes: exposure %s <= %.1f" %
          (exposure, MAX_EXPOSURE))
    shutil.rmtree(work, ignore_errors=True)
    return exposure


def check_run_in_place(root, prefix="usr", env_extra=None, runner=()):
    """Runs <root>/<prefix>/bin/deskplayer headless on its bundled demo (no
    FEED argument, no config): it must find <root>/<prefix>/share/deskplayer
    beside itself and show the demo's first items."""
    binary = os.path.join(root, prefix, "bin", "deskplayer")
    data = os.path.realpath(os.path.join(root, prefix, "share", "deskplayer"))
    work = dptest.tempdir("inplace")
    log = os.path.join(work, "play.log")
    conf = dptest.write_config(os.path.join(work, "c.conf"),
                               "[playback]\nimage_duration = 1s\ntext_duration = 1s\n"
                               "[display]\ntransition = cut\n[status]\nlisten =\n")
    env = dict(os.environ, SDL_AUDIODRIVER="dummy")
    for k in ("DESKPLAYER_ASSETS", "DESKPLAYER_CONFIG", "NOTIFY_SOCKET"):
        env.pop(k, None)
    if env_extra:
        env.update(env_extra)
    cmd = list(runner) + [binary, "--headless", "--size", "640x360", "--run-for", "4", "--play-log", log,
           "--cache-dir", os.path.join(work, "cache"), "--config", conf]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    check(r.returncode == 0, "installed binary runs in place: exit %d" % r.returncode)
    check("data: %s (beside the program)" % data in r.stderr,
          "it finds its data beside itself (%s)" %
          [l for l in r.stderr.splitlines() if "data:" in l])
    events = dptest.read_log(log)
    start = [e for e in events if e.get("event") == "start"]
    shown = [e for e in events if e.get("event") == "show"]
    check(start and start[0]["feed"] == os.path.join(data, "demo", "feed.json"),
          "it plays the bundled demo: %s" % (start[0]["feed"] if start else None))
    check(len(shown) >= 1 and not [e for e in events if e.get("event") == "skip"],
          "demo items shown, none skipped: %s" % [e["item"] for e in shown])
    shutil.rmtree(work, ignore_errors=True)
    if r.returncode != 0:
        print(r.stderr[-2000:])
