#!/bin/sh
# Regenerates label-cjk.ttf, the label and GUI font. See NOTICE and
# codepoints.py (what it must draw and which source font draws what):
#   Droid Sans Fallback Full  Han of GBK and Extension A, kana, CJK punctuation
#   DejaVu Sans               Latin with diacritics, Greek, Cyrillic
#   Noto Sans CJK SC          the symbols Droid lacks (① ℃ ± — … “ ” ㎡ ...)
# Each is subset to its share, Noto's cubic outlines are converted to
# TrueType quadratics, all are scaled to Droid's 256 units per em and merged.
# Needs the Debian packages fonts-droid-fallback, fonts-dejavu-core,
# fonts-noto-cjk and fonttools (pyftsubset, pyftmerge, python3-fonttools);
# PYTHON names a python3 with fontTools (default /usr/bin/python3, Debian's).
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-/usr/bin/python3}
export CJK_SRC=${CJK_SRC:-/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf}
export LATIN_SRC=${LATIN_SRC:-/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf}
export SYMBOL_SRC=${SYMBOL_SRC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
export SYMBOL_INDEX=${SYMBOL_INDEX:-2} # Simplified Chinese in the collection
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in droid dejavu noto none; do "$PYTHON" codepoints.py "$f" > "$tmp/$f.txt"; done
if [ -s "$tmp/none.txt" ]; then
	echo "make_subset: no source font draws:" >&2; cat "$tmp/none.txt" >&2
fi
common="--layout-features= --no-hinting --drop-tables+=vhea,vmtx,VORG,BASE,GSUB,GPOS,GDEF,MATH,kern --notdef-outline --recalc-bounds"
# shellcheck disable=SC2086
pyftsubset "$CJK_SRC" --unicodes-file="$tmp/droid.txt" --output-file="$tmp/droid.ttf" $common --name-IDs='*' --name-legacy
# shellcheck disable=SC2086
pyftsubset "$LATIN_SRC" --unicodes-file="$tmp/dejavu.txt" --output-file="$tmp/dejavu.ttf" $common
# shellcheck disable=SC2086
pyftsubset "$SYMBOL_SRC" --font-number="$SYMBOL_INDEX" --unicodes-file="$tmp/noto.txt" --output-file="$tmp/noto.otf" $common
"$PYTHON" - "$tmp/dejavu.ttf" "$tmp/noto.otf" "$tmp/noto.ttf" <<'PY'
import sys
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.scaleUpem import scale_upem

def to_truetype(font):
    """Replace CFF outlines with TrueType quadratics (within 1 unit)."""
    order = font.getGlyphOrder()
    gs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(gs)
        gs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    font["maxp"].tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(font["maxp"], attr, 0)
    font["maxp"].maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font["post"].glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"

latin = TTFont(sys.argv[1])
scale_upem(latin, 256)
latin.save(sys.argv[1])
noto = TTFont(sys.argv[2])
to_truetype(noto)
scale_upem(noto, 256)
noto.save(sys.argv[3])
PY
# The first font wins where several map a character, and gives the names and
# metrics.
pyftmerge --output-file="$tmp/merged.ttf" "$tmp/droid.ttf" "$tmp/dejavu.ttf" "$tmp/noto.ttf"
# A modified font takes none of its sources' names (Droid is a trademark,
# "Source" a reserved name of Noto CJK, Bitstream Vera's licence asks it).
"$PYTHON" - "$tmp/merged.ttf" label-cjk.ttf <<'PY'
import sys
from fontTools.ttLib import TTFont
f = TTFont(sys.argv[1])
name = f["name"]
name.names = []
for nid, text in {0: "Subsets of Droid Sans Fallback (Apache-2.0), DejaVu Sans (Bitstream Vera licence) and Noto Sans CJK SC (OFL-1.1); see NOTICE",
                  1: "Shipdesk Label", 2: "Regular", 3: "Shipdesk Label Regular", 4: "Shipdesk Label",
                  5: "Version 2.0", 6: "ShipdeskLabel-Regular",
                  13: "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
                  14: "https://openfontlicense.org"}.items():
    name.setName(text, nid, 3, 1, 0x409)
    name.setName(text, nid, 1, 0, 0)
f.save(sys.argv[2])
PY
ls -l label-cjk.ttf
