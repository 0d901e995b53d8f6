package assets

import _ "embed"

// CJKFont is the TrueType font every label and the GUI draw text with
// ("Shipdesk Label"): all of GBK (Han and symbols) and CJK Extension A,
// Latin with diacritics, Greek and Cyrillic, circled numbers, units and
// signs, CJK and full-width punctuation — GB 18030's repertoire except
// Extension B and beyond, and emoji, which labels print as placeholder
// boxes. It merges subsets of Droid Sans Fallback Full (Apache-2.0, the
// Han), DejaVu Sans (Bitstream Vera licence, the Latin, Greek and
// Cyrillic) and Noto Sans CJK SC (OFL-1.1, the symbols); the whole is
// distributed under the OFL. fonts/NOTICE says where each part comes from,
// fonts/codepoints.py what it must cover and fonts/make_subset.sh
// regenerates it. Read-only: callers must not modify it.
//
//go:embed fonts/label-cjk.ttf
var CJKFont []byte

// CJKFontName is the file name to give CJKFont where a name is needed (for
// example a GUI toolkit's static resource).
const CJKFontName = "label-cjk.ttf"

// CJKFontLicense is the Apache License 2.0 text that covers the Han part
// of CJKFont.
//
//go:embed fonts/LICENSE-Apache-2.0.txt
var CJKFontLicense string

// CJKFontLatinLicense is the Bitstream Vera licence that covers the Latin
// part of CJKFont.
//
//go:embed fonts/LICENSE-DejaVu.txt
var CJKFontLatinLicense string

// CJKFontSymbolLicense is the SIL Open Font License 1.1, which covers the
// symbols of CJKFont and the font as a whole.
//
//go:embed fonts/LICENSE-OFL-1.1.txt
var CJKFontSymbolLicense string

// CJKFontNotice says where CJKFont comes from and how it was made.
//
//go:embed fonts/NOTICE
var CJKFontNotice string
