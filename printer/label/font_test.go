package label

import (
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// gbkRunes decodes every two-byte sequence of GBK and returns the
// characters, private-use ones left out (they have no shape to draw).
func gbkRunes(t *testing.T) []rune {
	t.Helper()
	dec := simplifiedchinese.GBK.NewDecoder()
	var out []rune
	seen := map[rune]bool{}
	for lead := 0x81; lead <= 0xFE; lead++ {
		for trail := 0x40; trail <= 0xFE; trail++ {
			if trail == 0x7F {
				continue
			}
			b, err := dec.Bytes([]byte{byte(lead), byte(trail)})
			if err != nil {
				continue
			}
			for _, r := range string(b) {
				if r == '\uFFFD' || r >= 0xE000 && r <= 0xF8FF || seen[r] {
					continue
				}
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// TestFontDrawsAllOfGBKAndExtensionA walks the whole GBK table and CJK
// Extension A and rasterises each character at 2.5 mm (20 dots): each must
// come from the font (not the placeholder) and leave ink.
func TestFontDrawsAllOfGBKAndExtensionA(t *testing.T) {
	t.Parallel()
	runes := gbkRunes(t)
	if len(runes) < 21700 {
		t.Fatalf("decoded only %d GBK characters", len(runes))
	}
	for r := rune(0x3400); r <= 0x4DB5; r++ {
		runes = append(runes, r)
	}
	fs, err := loadFont()
	if err != nil {
		t.Fatal(err)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	const px = 20
	missing, blank := 0, 0
	for _, r := range runes {
		if !fs.hasGlyphLocked(r) {
			if missing++; missing <= 20 {
				t.Errorf("font lacks %q (U+%04X)", r, r)
			}
			continue
		}
		g, err := fs.glyphLocked(px, r)
		if err != nil {
			t.Fatalf("%q: %v", r, err)
		}
		ink := 0
		for _, v := range g.mask {
			ink += int(v)
		}
		if ink == 0 && r != '\u3000' {
			if blank++; blank <= 20 {
				t.Errorf("%q (U+%04X) rasterises to no ink", r, r)
			}
		}
		if len(fs.glyphs) > maxCachedGlyphs/2 {
			clear(fs.glyphs) // keep the walk's memory flat
		}
	}
	if missing+blank > 0 {
		t.Fatalf("%d of %d characters missing, %d blank", missing, len(runes), blank)
	}
	t.Logf("%d characters of GBK and Extension A drawn", len(runes))
}

// TestFontDrawsWhatPatientsWrite covers what GBK does not: Latin with
// diacritics, Greek, Cyrillic, circled numbers beyond ⑩, units and signs.
func TestFontDrawsWhatPatientsWrite(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"“阳光小区”①②⑩⑪⑳㈠㊣", "镜片 1.56折射率 ±2.00", "易碎——轻放…", "冷藏2-8℃ ℉ ‰",
		"Jürgen Müller", "François Çağlar Øresund Łódź Nguyễn", "刘䶮", "ΑΒΓαβγΩω", "АБВЖжЩщЁё",
		"㎡㎏㎎㎝㎜㎞㏄№™©®§¶¥€£¢", "→←↑↓★☆○●◎◇◆□■△▲※", "ＡＢＣ１２３（）［］｛｝！？：；",
	} {
		if m := Missing(s); len(m) > 0 {
			t.Errorf("%q: font lacks %q", s, string(m))
		}
	}
	if m := Missing("好😀𠀋"); string(m) != "😀𠀋" {
		t.Errorf("Missing = %q, want the emoji and the Extension B character", string(m))
	}
}
