#!/bin/sh
# Regenerates label-cjk.ttf, the GBK subset of Droid Sans Fallback Full that
# the label renderer and the GUI theme embed (see NOTICE).
# Needs: Debian packages fonts-droid-fallback and fonttools (pyftsubset), python3.
set -eu
cd "$(dirname "$0")"
src=${SRC:-/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf}
python3 gbk_codepoints.py > /tmp/label-cjk-unicodes.txt
pyftsubset "$src" \
	--unicodes-file=/tmp/label-cjk-unicodes.txt \
	--output-file=label-cjk.ttf \
	--layout-features='' --no-hinting --desubroutinize \
	--name-IDs='*' --name-legacy --notdef-outline --recalc-bounds
rm -f /tmp/label-cjk-unicodes.txt
ls -l label-cjk.ttf
