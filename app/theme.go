package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"shipdesk/assets"
)

// shipTheme is Fyne's default light theme with the bundled CJK font (so
// Chinese renders on any machine, with or without system fonts) and the
// icon's blue as the primary colour. Monospace text (waybill numbers) keeps
// Fyne's monospace font.
type shipTheme struct {
	base fyne.Theme
	cjk  fyne.Resource
}

// NewTheme returns the Shipdesk theme. It is safe for concurrent use.
func NewTheme() fyne.Theme {
	return &shipTheme{base: theme.DefaultTheme(), cjk: fyne.NewStaticResource(assets.CJKFontName, assets.CJKFont)}
}

var primaryBlue = color.NRGBA{0x1e, 0x6f, 0xd9, 0xff}

// Color always answers with the light variant: the desk's screens are read
// under office light.
func (t *shipTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return primaryBlue
	case theme.ColorNameFocus:
		return color.NRGBA{0x1e, 0x6f, 0xd9, 0x60}
	}
	return t.base.Color(n, theme.VariantLight)
}

// Font returns the CJK font for every style but monospace and symbols.
func (t *shipTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return t.base.Font(s)
	}
	return t.cjk
}

func (t *shipTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

func (t *shipTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return 15
	}
	return t.base.Size(n)
}
