package assets

import _ "embed"

// IconPNG is the application icon: a parcel with a waybill label on a blue
// rounded square, 512x512 PNG. Generated once by a small program (see
// /work/notes/app.md); read-only.
//
//go:embed icon.png
var IconPNG []byte
