"""The Debian package (issue 12), `make test-deb` or
`python3 tests/package/test_deb.py dist/deskplayer_<version>_<arch>.deb`:
its contents (dpkg-deb -c), control fields (Depends from the libraries,
never by hand), the conffile (the example, every key commented), the
sysusers.d user and groups, the maintainer scripts (purge removes the cache),
lintian with no error, the unit (systemd-analyze verify and security), and a
run of the unpacked package in place (under qemu-user for another
architecture)."""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pkgcheck  # noqa: E402
import dptest  # noqa: E402
from dptest import check  # noqa: E402

SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
QEMU = {"arm64": "qemu-aarch64-static", "armhf": "qemu-arm-static"}

if len(sys.argv) != 2 or not os.path.exists(sys.argv[1]):
    print("usage: test_deb.py PACKAGE.deb")
    sys.exit(2)
deb = os.path.abspath(sys.argv[1])


def out(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


arch = out("dpkg-deb", "-f", deb, "Architecture").strip()
host = out("dpkg", "--print-architecture").strip()
print("package %s (%s, %d bytes)" % (os.path.basename(deb), arch, os.path.getsize(deb)))

# Contents.
listing = out("dpkg-deb", "-c", deb)
paths = {line.split()[-1] for line in listing.splitlines()}
for want in ["./usr/bin/deskplayer", "./usr/share/deskplayer/demo/feed.json",
             "./usr/share/deskplayer/fonts/DejaVuSans.ttf",
             "./lib/systemd/system/deskplayer.service",
             "./usr/lib/sysusers.d/deskplayer.conf", "./etc/deskplayer/deskplayer.conf",
             "./usr/share/doc/deskplayer/copyright", "./usr/share/doc/deskplayer/README.md"]:
    check(want in paths, "contents: %s" % want)
check(not [p for p in paths if "/tests/" in p or p.endswith(".a") or "/include/" in p],
      "contents: no tests, static libraries or headers")

# Control: Depends from dpkg-shlibdeps.
depends = out("dpkg-deb", "-f", deb, "Depends")
for lib in ["libsdl2-2.0-0", "libavcodec", "libcurl4", "libsystemd0", "libdrm2", "libc6"]:
    check(lib in depends, "Depends (shlibs) names %s" % lib)

ctrl = dptest.tempdir("ctrl")
subprocess.run(["dpkg-deb", "-e", deb, ctrl], check=True)
with open(os.path.join(ctrl, "conffiles"), encoding="utf-8") as f:
    conffiles = f.read().split()
check(conffiles == ["/etc/deskplayer/deskplayer.conf"], "conffiles: %s" % conffiles)
with open(os.path.join(ctrl, "postrm"), encoding="utf-8") as f:
    postrm = f.read()
check(re.search(r'"\$1" = "purge".*\n.*rm -rf /var/cache/deskplayer', postrm) is not None,
      "postrm: purge removes /var/cache/deskplayer")
with open(os.path.join(ctrl, "postinst"), encoding="utf-8") as f:
    postinst = f.read()
check("systemd-sysusers" in postinst and "deskplayer.conf" in postinst,
      "postinst: systemd-sysusers creates the user")
check("deb-systemd-invoke" not in postinst and "was-enabled" in postinst,
      "postinst: the unit is neither started nor enabled by the install")
shutil.rmtree(ctrl)

# The unpacked tree.
root = dptest.tempdir("unpacked")
subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
with open(os.path.join(root, "etc/deskplayer/deskplayer.conf"), encoding="utf-8") as f:
    conf = f.read()
with open(os.path.join(SOURCE, "config", "deskplayer.conf.example"), encoding="utf-8") as f:
    example = f.read()
check(conf == example, "the conffile is config/deskplayer.conf.example")
keys = [l for l in conf.splitlines() if re.match(r"^;?\s*[a-z_]+\s*=", l)]
check(len(keys) >= 25 and all(l.startswith(";") for l in keys),
      "every key of the conffile present and commented (%d keys)" % len(keys))
with open(os.path.join(root, "usr/lib/sysusers.d/deskplayer.conf"), encoding="utf-8") as f:
    sysusers = [l.split() for l in f if l.strip() and not l.startswith("#")]
check(sysusers and sysusers[0][:2] == ["u", "deskplayer"], "sysusers: user deskplayer")
groups = {l[2] for l in sysusers if l[0] == "m" and l[1] == "deskplayer"}
check(groups == {"video", "render", "audio", "input"}, "sysusers: groups %s" % sorted(groups))

if shutil.which("lintian"):
    r = subprocess.run(["lintian", "--no-tag-display-limit", deb], capture_output=True,
                       text=True)
    errors = [l for l in r.stdout.splitlines() if l.startswith("E:")]
    check(not errors, "lintian: no errors %s" % errors)
    print(r.stdout.strip())

exposure = pkgcheck.check_unit(os.path.join(root, "lib/systemd/system/deskplayer.service"), root)
print("exposure: %s" % exposure)

runner = ()
if arch != host:
    qemu = shutil.which(QEMU.get(arch, ""))
    if not qemu:
        print("no qemu-user for %s: not run" % arch)
    runner = (qemu,) if qemu else None
if runner is not None:
    pkgcheck.check_run_in_place(root, "usr", runner=runner)
shutil.rmtree(root, ignore_errors=True)
dptest.finish()
