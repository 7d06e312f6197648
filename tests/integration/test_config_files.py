"""Config files as the real binary reads them (issues 8 and 13):

- /dev/zero, a FIFO, a folder and a 1.5 MiB file as --config: exit 2 at
  once with a message naming the file (before: /dev/zero grew to 2.8 GB,
  a FIFO hung forever);
- a 2,000-character URL and a 4,000-character header value: accepted
  (before: "line longer than 198 characters");
- --check-config prints the token and header values as <set>, and quotes
  around a value are gone.
"""
import os
import subprocess

import dptest
from dptest import check

dptest.require_binary()
work = dptest.tempdir("config-files")
env = dict(os.environ)
env.pop("DESKPLAYER_CONFIG", None)


def check_config(path, timeout=20):
    """(exit code or None on a hang, stdout, stderr)."""
    try:
        r = subprocess.run([dptest.BIN, "--config", path, "--check-config"], env=env,
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", ""
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


fifo = os.path.join(work, "fifo.conf")
os.mkfifo(fifo)
big = os.path.join(work, "big.conf")
with open(big, "w") as f:
    f.write("[feed]\n" + ("; padding\n" * (150 * 1024)))
for path, what in (("/dev/zero", "a device"), (fifo, "a FIFO"), (work, "a folder"),
                   (big, "larger than")):
    code, _, err = check_config(path)
    check(code == 2 and path in err and what in err,
          "--config %s: exit 2 at once, \"%s\" (%s: %s)" % (path, what, code, err.strip()))

url = "https://cdn.example/feed.json?" + "X-Amz-Signature=" + "a" * 1970
jwt = "eyJ" + "b" * 3997
conf = dptest.write_config(os.path.join(work, "long.conf"), """[feed]
url = %s
headers = Authorization: Bearer %s\\nX-Screen: "lobby"
[status]
token = "s3cret"
[schedule]
on_hours = 'mon-fri 07:00-22:00'
""" % (url, jwt))
code, out, err = check_config(conf)
check(code == 0, "a 2,000-character URL and a 4,000-character header value load (%s %s)"
      % (code, err.strip()[:200]))
check(("\nurl = %s\n" % url) in out, "the long URL is printed whole")
check("s3cret" not in out and jwt not in out and "lobby" not in out,
      "--check-config shows neither the token nor header values")
check("\ntoken = <set>\n" in out, "the token is printed as <set>")
check("\nheaders = Authorization: <set>\\nX-Screen: <set>\n" in out,
      "header values are printed as <set>, their names kept")
check("\non_hours = mon-fri 07:00-22:00\n" in out, "quotes around a value are stripped")
dptest.finish()
