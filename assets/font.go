package assets

import _ "embed"

// CJKFont is a TrueType font covering all of GBK (21,886 characters,
// including rare name characters such as 堃 喆 镕 珺 昇), printable ASCII and
// CJK/full-width punctuation: a subset of Droid Sans Fallback Full
// (Apache-2.0) merged with ASCII from DejaVu Sans (Bitstream Vera licence);
// see fonts/NOTICE and the licence files beside it, and fonts/make_subset.sh
// which regenerates it. The label renderer draws all label text with it and the
// GUI theme uses it for Chinese. Read-only: callers must not modify it.
//
//go:embed fonts/label-cjk.ttf
var CJKFont []byte

// CJKFontName is the file name to give CJKFont where a name is needed (for
// example a GUI toolkit's static resource).
const CJKFontName = "label-cjk.ttf"

// CJKFontLicense is the Apache License 2.0 text that covers the Chinese part
// of CJKFont.
//
//go:embed fonts/LICENSE-Apache-2.0.txt
var CJKFontLicense string

// CJKFontLatinLicense is the Bitstream Vera licence that covers the Latin
// part of CJKFont.
//
//go:embed fonts/LICENSE-DejaVu.txt
var CJKFontLatinLicense string

// CJKFontNotice says where CJKFont comes from and how it was made.
//
//go:embed fonts/NOTICE
var CJKFontNotice string
