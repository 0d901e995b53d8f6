#!/bin/sh
# Regenerates label-cjk.ttf: the GBK subset of Droid Sans Fallback Full
# (which has no Latin letters or digits) merged with printable ASCII and a
# few symbols from DejaVu Sans, scaled to the same units per em. See NOTICE.
# Needs: Debian packages fonts-droid-fallback, fonts-dejavu-core, fonttools
# (pyftsubset, pyftmerge), python3 (set PYTHON if fontTools is not in the first python3 on PATH).
set -eu
cd "$(dirname "$0")"
cjk=${CJK_SRC:-/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf}
latin=${LATIN_SRC:-/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${PYTHON:-python3}" gbk_codepoints.py > "$tmp/unicodes.txt"
pyftsubset "$cjk" --unicodes-file="$tmp/unicodes.txt" --output-file="$tmp/cjk.ttf" \
	--layout-features='' --no-hinting --drop-tables+=vhea,vmtx --name-IDs='*' --name-legacy --notdef-outline --recalc-bounds
# Latin: ASCII, no-break space, yen sign, middle dot, multiplication sign, ※.
pyftsubset "$latin" --unicodes='U+0020-007E,U+00A0,U+00A5,U+00B7,U+00D7,U+203B' --output-file="$tmp/latin.ttf" --drop-tables+=MATH,kern,GSUB,GPOS,GDEF \
	--layout-features='' --no-hinting --notdef-outline
"${PYTHON:-python3}" - "$tmp/latin.ttf" <<'PY'
import sys
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
f = TTFont(sys.argv[1])
scale_upem(f, 256)
f.save(sys.argv[1])
PY
# The first font wins where both map a character, and gives names and metrics.
pyftmerge --output-file=label-cjk.ttf "$tmp/cjk.ttf" "$tmp/latin.ttf"
ls -l label-cjk.ttf
