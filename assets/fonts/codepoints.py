#!/usr/bin/env python3
"""The code points the label font must draw, and which source font draws
each. Usage:

    codepoints.py all                 every required code point, U+XXXX per line
    codepoints.py droid|dejavu|noto   the share of one source font
    (the source fonts' paths come from the environment: CJK_SRC, LATIN_SRC,
    SYMBOL_SRC, as make_subset.sh sets them)

Required: every character of GBK (decoded byte pair by byte pair, Han and
symbols), CJK Unified Ideographs Extension A (U+3400-4DB5, GB 18030's rare
name characters), printable ASCII, Latin with diacritics (Latin-1, Extended
A and B, Extended Additional), Greek and Cyrillic, general punctuation,
currency, letterlike symbols and number forms (℃ № Ⅻ), arrows, mathematical
operators, enclosed alphanumerics (① ⑳ ⒜), box drawing, geometric shapes,
miscellaneous symbols (★ ☎), CJK radicals and ideographic description
characters (which GBK tables map some byte pairs to), CJK symbols and punctuation, kana, bopomofo,
enclosed CJK (㈠ ㊣), CJK compatibility units (㎡ ㎏), CJK compatibility
forms and full-width forms. Private-use code points have nothing to draw.

Which font draws what: Latin, Greek and Cyrillic come from DejaVu Sans
(proportional, made for them); everything else from Droid Sans Fallback
(all Han of GBK and Extension A) where it has the character, else from Noto
Sans CJK SC (the symbols Droid lacks), else from DejaVu Sans."""
import os
import sys

from fontTools.ttLib import TTCollection, TTFont


def gbk():
    cps = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                s = bytes([lead, trail]).decode("gbk")
            except UnicodeDecodeError:
                continue
            cps.update(ord(ch) for ch in s)
    return cps


RANGES = [
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF),
    (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20BF), (0x2100, 0x218F),
    (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x257F),
    (0x25A0, 0x25FF), (0x2600, 0x26FF), (0x2E80, 0x2EFF), (0x2F00, 0x2FDF),
    (0x2FF0, 0x2FFF), (0x3000, 0x303F), (0x3040, 0x30FF),
    (0x3100, 0x312F), (0x3200, 0x32FF), (0x3300, 0x33FF), (0x3400, 0x4DB5),
    (0xFE30, 0xFE4F), (0xFF01, 0xFF60), (0xFFE0, 0xFFE6),
]
LATIN = [(0x0020, 0x052F), (0x1E00, 0x1EFF)]


def required():
    cps = gbk()
    for lo, hi in RANGES:
        cps.update(range(lo, hi + 1))
    return {c for c in cps if not 0xE000 <= c <= 0xF8FF and not 0xD800 <= c <= 0xDFFF}


def cmap(path, index=0):
    if path.endswith((".ttc", ".otc")):
        return set(TTCollection(path).fonts[index].getBestCmap())
    return set(TTFont(path).getBestCmap())


def shares():
    droid = cmap(os.environ["CJK_SRC"])
    dejavu = cmap(os.environ["LATIN_SRC"])
    noto = cmap(os.environ["SYMBOL_SRC"], int(os.environ.get("SYMBOL_INDEX", "2")))
    out = {"droid": set(), "dejavu": set(), "noto": set(), "none": set()}
    # Code points a category of GBK or a range above asks for but no font
    # has (unassigned ones inside a range) are dropped, not reported.
    must = gbk() | set(range(0x3400, 0x4DB6)) | set(range(0x20, 0x7F))
    for c in sorted(required()):
        latin = any(lo <= c <= hi for lo, hi in LATIN)
        order = ("dejavu", "noto", "droid") if latin else ("droid", "noto", "dejavu")
        for name in order:
            if c in {"droid": droid, "dejavu": dejavu, "noto": noto}[name]:
                out[name].add(c)
                break
        else:
            if c in must and not 0xE000 <= c <= 0xF8FF:
                out["none"].add(c)
    return out


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    cps = required() if what == "all" else shares()[what]
    for c in sorted(cps):
        print("U+%04X" % c)


if __name__ == "__main__":
    main()
