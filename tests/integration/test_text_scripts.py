"""Text in every script, read back from the real binary's snapshots (issue 9).

One-line posts in Hebrew, Arabic, a mixed English/Hebrew line, Chinese,
Japanese and emoji are played headless at 1280x720; tesseract reads the
snapshots (heb, ara, chi_sim, jpn) and the words must come out in reading
order; right-to-left lines end at the right margin; Chinese and Japanese
are set about as large as a Latin post of the same length; emoji are drawn
in colour, scaled to their line; a character no font has is one box and
one log line; Mathematical Bold letters find a font.
Skips (77) when tesseract, its languages or the Noto fonts are missing.
"""
import json
import os
import shutil
import subprocess

import dptest
from dptest import check

dptest.require_binary()
LANGS = ("heb", "ara", "chi_sim", "jpn", "eng")
if not shutil.which("tesseract"):
    print("tesseract missing; skipping")
    raise SystemExit(dptest.SKIP)
have = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout
if any(lang not in have.split() for lang in LANGS):
    print("tesseract languages missing (%s); skipping" % ", ".join(LANGS))
    raise SystemExit(dptest.SKIP)
if not os.path.exists("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"):
    print("fonts-noto-color-emoji missing; skipping")
    raise SystemExit(dptest.SKIP)

W, H = 1280, 720
PAD = min(W, H) // 16               # card.c: margin 0 + unit / 16
HE = "שלום לכולם וברוכים הבאים לכנס השנתי"
AR = "مرحبا بكم في المؤتمر السنوي، يبدأ البرنامج الساعة 19:30 في القاعة الكبرى"
MIXED = "The keynote נאום פתיחה starts at 19:30"
ZH = "欢迎大家参加今年的年度大会，下午两点在主会场开始。"
JA = "本日の基調講演は午後七時半から大ホールで始まります。ぜひご参加ください。"
LATIN = "Welcome to this year's annual meeting, which starts at two in the main hall."
EMOJI = "Family 👨‍👩‍👧 pride 🏳️‍🌈 alarm 🚨 tonight"
MISSING = "Unassigned \u0378 here, twice \u0378"

work = dptest.tempdir("scripts")
dptest.make_image(os.path.join(work, "photo.png"), 640, 360, "0x405060")
posts = [
    ("he", HE, "דנה כהן", None),
    ("ar", AR, "سارة", None),
    ("mixed", MIXED, "Programme", None),
    ("zh", ZH, "会务组", None),
    ("ja", JA, "𝐒𝐚𝐫𝐚 さくら", None),
    ("latin", LATIN[:len(ZH)], "Desk", None),
    ("emoji", EMOJI, "🚨 Alerts", None),
    ("missing", MISSING, "Desk", None),
    ("math", "𝐒𝐚𝐫𝐚 says hello", "Desk", None),
    ("caption", HE, "דנה", "photo.png"),
    ("zwj", "👨‍👩‍👧", "Desk", None),
    ("flag", "🏳️‍🌈", "Desk", None),
]
items = []
for i, (pid, text, author, image) in enumerate(posts):
    item = {"id": pid, "content_text": text, "authors": [{"name": author}],
            "date_published": "2026-11-25T09:%02d:00Z" % i}
    if image:
        item["attachments"] = [{"url": image, "mime_type": "image/png"}]
    items.append(item)
feed = os.path.join(work, "feed.json")
with open(feed, "w", encoding="utf-8") as f:
    json.dump({"version": "https://jsonfeed.org/version/1.1", "title": "scripts",
               "items": items}, f, ensure_ascii=False)
config = dptest.write_config(os.path.join(work, "c.conf"), """
[playback]
image_duration = 1s
text_duration = 1s
[display]
transition = cut
""")
run = dptest.run_player(feed, work, config, ["--cycles", "1", "--log-level", "debug"],
                        size="%dx%d" % (W, H), timeout=300)
check(run.code == 0, "the player exits 0 after one cycle")
shown = set(run.shown_items())
check(shown >= {p[0] for p in posts if not p[3]}, "every text post shown: %s" % sorted(shown))


def snapshot_path(item):
    for e in run.of("show"):
        if e["item"] == item and "snapshot" in e:
            return os.path.join(run.snapdir, e["snapshot"])
    return None


def ocr(item, lang, top=0, psm=3):
    path = snapshot_path(item)
    return ocr_file(path, lang, top, psm) if path else ""


def ocr_file(path, lang, top=0, psm=3):
    """tesseract's reading of the PNG below row top, as dark text on white
    (a black and white PGM: what tesseract reads best)."""
    img = dptest.read_png(path)
    pgm = os.path.join(work, "ocr.pgm")
    with open(pgm, "wb") as f:
        f.write(b"P5 %d %d 255\n" % (img.w, img.h - top))
        for y in range(top, img.h):
            f.write(bytes(0 if min(img.pixel(x, y)) >= 150 else 255 for x in range(img.w)))
    out = subprocess.run(["tesseract", pgm, "-", "-l", lang, "--psm", str(psm)],
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


def squash(s):
    return "".join(s.split())


def in_order(text, words):
    """Every word found, each after the one before it."""
    pos = -1
    for w in words:
        i = text.find(w, pos + 1)
        if i < 0:
            return False
        pos = i
    return True


# ---- words in reading order ---------------------------------------------------
he = ocr("he", "heb")
check(in_order(he, ["שלום", "לכולם", "וברוכים", "הבאים", "לכנס", "השנתי"]),
      "Hebrew reads in order: %r" % he)
check("םולש" not in he, "no reversed Hebrew word")
ar = ocr("ar", "ara")
check(in_order(ar, ["مرحبا", "بكم", "المؤتمر", "البرنامج", "الساعة", "19:30", "القاعة"]),
      "Arabic (with its time) reads in order: %r" % ar)
mixed = ocr("mixed", "eng+heb")
check(in_order(mixed, ["keynote", "נאום", "פתיחה", "starts", "19:30"]),
      "the mixed line reads in order: %r" % mixed)
zh = squash(ocr("zh", "chi_sim"))
check(in_order(zh, ["欢迎", "大家", "下午", "开始"]), "Chinese reads in order: %r" % zh)
ja = squash(ocr("ja", "jpn"))
check(in_order(ja, ["本日", "基調講演", "大ホール", "ぜひご参加"]),
      "Japanese reads in order: %r" % ja)
cap = ocr("caption#1", "heb", top=H * 2 // 3)
check(in_order(cap, ["שלום", "לכולם", "השנתי"]), "the Hebrew caption reads in order: %r" % cap)


# ---- geometry -----------------------------------------------------------------
def text_rows(img, x0, x1, y0, y1, bright=200):
    """(y, leftmost x, rightmost x) of rows holding white text pixels."""
    rows = []
    for y in range(y0, y1):
        xs = [x for x in range(x0, x1) if min(img.pixel(x, y)) >= bright]
        if xs:
            rows.append((y, xs[0], xs[-1]))
    return rows


def lines_of(rows):
    """Groups text rows into lines: (top, bottom, leftmost, rightmost)."""
    lines = []
    for y, l, r in rows:
        if lines and y - lines[-1][1] <= 10:   # dots and marks join their line
            t, b, ll, rr = lines[-1]
            lines[-1] = (t, y, min(ll, l), max(rr, r))
        else:
            lines.append((y, y, l, r))
    return [ln for ln in lines if ln[1] - ln[0] >= 8]


body_top = PAD + (min(W, H) // 24) * 5 // 2 - 10
for item in ("he", "ar"):
    img = run.snapshot(item)
    if not check(img is not None, "%s snapshot" % item):
        continue
    lines = lines_of(text_rows(img, 0, W, body_top, H))
    check(len(lines) >= 1, "%s: body lines found: %s" % (item, lines))
    rights = [ln[3] for ln in lines]
    lefts = [ln[2] for ln in lines]
    check(all(abs(r - (W - PAD)) <= 12 for r in rights),
          "%s: every line ends at the right margin (%d): %s" % (item, W - PAD, rights))
    check(all(left > PAD + 40 for left in lefts), "%s: lines do not start at the left margin: %s"
          % (item, lefts))
    # the header is mirrored: the accent bar at the right edge
    bar = [x for x in range(W) if dptest.near(img.pixel(x, PAD + 5), (96, 165, 250), 30)]
    check(bar and min(bar) > W // 2, "%s: the accent bar is on the right: %s" % (item, bar[:3]))

img = run.snapshot("caption#1")
if check(img is not None, "caption snapshot"):
    lines = lines_of(text_rows(img, 0, W, H * 2 // 3, H))
    check(lines and all(abs(ln[3] - (W - H // 40)) <= 12 for ln in lines),
          "the Hebrew caption ends at the right margin: %s" % lines)

img = run.snapshot("mixed")
if check(img is not None, "mixed snapshot"):
    lines = lines_of(text_rows(img, 0, W, body_top, H))
    check(lines and all(abs(ln[2] - PAD) <= 12 for ln in lines),
          "the left-to-right mixed line starts at the left margin: %s" % lines)


def text_height(item):
    img = run.snapshot(item)
    if not img:
        return 0
    lines = lines_of(text_rows(img, 0, W, body_top, H))
    return sum(ln[1] - ln[0] for ln in lines)


lat_h = text_height("latin")
for item in ("zh", "ja"):
    h = text_height(item)
    check(lat_h and h >= lat_h * 0.6,
          "%s is set about as large as Latin text of its length: %d vs %d px of ink rows"
          % (item, h, lat_h))


# ---- emoji in colour, scaled to the line ----------------------------------------
def colourful(p):
    return max(p) - min(p) > 90 and not dptest.near(p, (96, 165, 250), 30)


img = run.snapshot("emoji")
if check(img is not None, "emoji snapshot"):
    body = [(x, y) for y in range(body_top, H, 2) for x in range(0, W, 2)
            if colourful(img.pixel(x, y))]
    check(len(body) > 300, "emoji drawn in colour in the body (%d pixels)" % len(body))
    lines = lines_of(text_rows(img, 0, W, body_top, H))
    if body and lines:
        ys = [y for _, y in body]
        pitch = max(ln[1] - ln[0] for ln in lines)
        check(max(ys) - min(ys) < 3 * pitch, "emoji stay within their lines")
    head = [(x, y) for y in range(0, body_top) for x in range(0, W, 2)
            if colourful(img.pixel(x, y))]
    check(head and min(y for _, y in head) >= PAD // 2,
          "the header's emoji stays in the header, not off the top")
    check(head and max(y for _, y in head) < body_top, "the header's emoji ends above the body")

# ---- a ZWJ sequence or a flag alone on a card is one picture, not three or two
def ink_box(img, y0):
    bg = img.pixel(W // 2, H - 5)
    pts = [(x, y) for y in range(y0, H, 2) for x in range(0, W, 2)
           if max(abs(a - b) for a, b in zip(img.pixel(x, y), bg)) > 40]
    if not pts:
        return 0, 0
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return max(xs) - min(xs) + 2, max(ys) - min(ys) + 2


for item in ("zwj", "flag"):
    img = run.snapshot(item)
    if check(img is not None, "%s snapshot" % item):
        w, h = ink_box(img, body_top)
        check(h > 40 and w < 1.6 * h, "%s is drawn as one emoji: %dx%d px" % (item, w, h))

# ---- the standby card: a Hebrew desk title while a download cannot start --------
sb = os.path.join(work, "standby")
os.makedirs(sb)
with open(os.path.join(sb, "feed.json"), "w", encoding="utf-8") as f:
    json.dump({"version": "https://jsonfeed.org/version/1.1", "title": "הלוח של הכנס 2026",
               "items": [{"id": "v", "content_text": "x", "attachments": [
                   {"url": "http://127.0.0.1:9/none.mp4", "mime_type": "video/mp4"}]}]},
              f, ensure_ascii=False)
srun = dptest.run_player(os.path.join(sb, "feed.json"), sb, config,
                         ["--run-for", "3", "--snapshot-interval", "1500"],
                         size="%dx%d" % (W, H), timeout=120)
shots = sorted(n for n in os.listdir(srun.snapdir) if n.startswith("t")) \
    if os.path.isdir(srun.snapdir) else []
title = ""
if check(shots, "standby snapshots taken"):
    title = ocr_file(os.path.join(srun.snapdir, shots[-1]), "heb+eng")
check(in_order(title, ["הלוח", "של", "הכנס", "2026"]), "the standby title reads in order: %r"
      % title)

# ---- missing glyphs and fallbacks ---------------------------------------------------
missing = [ln for ln in run.stderr.splitlines() if "U+0378" in ln]
check(len(missing) == 1, "one log line names the missing U+0378: %s" % missing)
math = ocr("math", "eng")
check("Sara" in math and "U+1D412" not in run.stderr,
      "Mathematical Bold letters found a font: %r" % math)
check("U+3055" not in run.stderr, "kana found a font")
bold_cjk = [ln for ln in run.stderr.splitlines()
            if "[render] font" in ln and "CJK" in ln and ln.endswith(" bold")]
check(bold_cjk, "the kana of a bold name take a bold CJK face: %s" % bold_cjk)
dptest.finish()
