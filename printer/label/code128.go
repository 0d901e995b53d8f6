package label

import (
	"errors"
	"fmt"
	"image"
	"strings"
)

// Code 128 with the code sets spelled out. A printer's firmware, left to
// choose code sets itself (ZPL mode A, TSPL "128"), may pick other ones
// than the preview and print a barcode of a different width; so the
// preview, the encoders and the virtual printers all work from one explicit
// plan: Code128Plan chooses the code sets, the encoders write them as
// invocation codes (ZPL >: >; >5 >6, TSPL !104 !105 !099 !100), and the
// virtual printers read them back from the bytes.

// Code 128 symbol values with a meaning of their own.
const (
	C128CodeC  = 99  // switch to code set C (in A and B)
	C128CodeB  = 100 // switch to code set B (in A and C); FNC4 in B
	C128CodeA  = 101 // switch to code set A (in B and C); FNC4 in A
	C128FNC1   = 102
	C128StartA = 103
	C128StartB = 104
	C128StartC = 105
	C128Stop   = 106
)

// code128Widths are the bar and space widths, in modules, of symbol values
// 0..106 (ISO/IEC 15417 table 1); each starts with a bar. The stop symbol
// has seven elements.
var code128Widths = [107]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232", "2331112",
}

// ErrCode128 reports content Code 128 sets B and C cannot carry: only
// printable ASCII is accepted (a waybill number never needs set A).
var ErrCode128 = errors.New("code 128: only printable ASCII can be encoded")

// Code128Run is a stretch of content in one code set: 'B' (ASCII 32-126,
// one symbol per character) or 'C' (pairs of digits, one symbol per pair).
type Code128Run struct {
	Set  byte
	Text string
}

// Code128Plan chooses the code sets that encode content in the fewest
// symbols, as runs in order. Ties go to code set B. Content must be 1-80
// characters of printable ASCII.
func Code128Plan(content string) ([]Code128Run, error) {
	n := len(content)
	if n == 0 || n > 80 {
		return nil, fmt.Errorf("code 128 %q: want 1 to 80 characters: %w", content, ErrCode128)
	}
	for i := 0; i < n; i++ {
		if c := content[i]; c < 32 || c > 126 {
			return nil, fmt.Errorf("code 128 %q: character %q: %w", content, c, ErrCode128)
		}
	}
	digit := func(i int) bool { return i < n && content[i] >= '0' && content[i] <= '9' }
	// cost[i][s]: fewest symbols for content[i:] when code set s (0 = B,
	// 1 = C) is active at i, switches included.
	const inf = 1 << 30
	cost := make([][2]int, n+1)
	next := make([][2]byte, n+1) // 'b', 'c': stay and encode; 'B', 'C': switch first
	for i := n - 1; i >= 0; i-- {
		cost[i] = [2]int{inf, inf}
		// In B: encode one character in B, or switch to C.
		cost[i][0], next[i][0] = 1+cost[i+1][0], 'b'
		pair := digit(i) && digit(i+1)
		stayC := inf
		if pair {
			stayC = 1 + cost[i+2][1]
		}
		if pair && 1+stayC < cost[i][0] {
			cost[i][0], next[i][0] = 1+stayC, 'C'
		}
		// In C: a pair stays, anything else switches to B.
		cost[i][1], next[i][1] = 1+cost[i][0], 'B'
		if pair && stayC <= cost[i][1] {
			cost[i][1], next[i][1] = stayC, 'c'
		}
	}
	set := 0
	if digit(0) && digit(1) && cost[0][1] < cost[0][0] {
		set = 1
	}
	var runs []Code128Run
	var cur strings.Builder
	flush := func(s int) {
		if cur.Len() > 0 {
			runs = append(runs, Code128Run{Set: "BC"[s], Text: cur.String()})
			cur.Reset()
		}
	}
	for i := 0; i < n; {
		switch next[i][set] {
		case 'b':
			cur.WriteByte(content[i])
			i++
		case 'c':
			cur.WriteString(content[i : i+2])
			i += 2
		case 'B', 'C':
			flush(set)
			set = 1 - set
		}
	}
	flush(set)
	return runs, nil
}

// Code128Values turns runs into symbol values: start code, data and code
// set switches, check symbol and stop.
func Code128Values(runs []Code128Run) ([]int, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("code 128: no data: %w", ErrCode128)
	}
	var v []int
	for i, r := range runs {
		switch r.Set {
		case 'B':
			if i == 0 {
				v = append(v, C128StartB)
			} else {
				v = append(v, C128CodeB)
			}
			for k := 0; k < len(r.Text); k++ {
				c := r.Text[k]
				if c < 32 || c > 126 {
					return nil, fmt.Errorf("code 128 set B: character %q: %w", c, ErrCode128)
				}
				v = append(v, int(c)-32)
			}
		case 'C':
			if i == 0 {
				v = append(v, C128StartC)
			} else {
				v = append(v, C128CodeC)
			}
			if len(r.Text)%2 != 0 {
				return nil, fmt.Errorf("code 128 set C: odd number of digits %q: %w", r.Text, ErrCode128)
			}
			for k := 0; k < len(r.Text); k += 2 {
				a, b := r.Text[k], r.Text[k+1]
				if a < '0' || a > '9' || b < '0' || b > '9' {
					return nil, fmt.Errorf("code 128 set C: %q is not two digits: %w", r.Text[k:k+2], ErrCode128)
				}
				v = append(v, int(a-'0')*10+int(b-'0'))
			}
		default:
			return nil, fmt.Errorf("code 128: code set %q: %w", r.Set, ErrCode128)
		}
	}
	return Code128Finish(v), nil
}

// Code128Finish appends the mod-103 check symbol and the stop symbol to
// values, which start with a start code.
func Code128Finish(values []int) []int {
	sum := values[0]
	for i, x := range values[1:] {
		sum += (i + 1) * x
	}
	return append(values, sum%103, C128Stop)
}

// Code128Bits returns the modules of the symbol values (start ... check,
// stop), true = bar.
func Code128Bits(values []int) ([]bool, error) {
	var out []bool
	for _, x := range values {
		if x < 0 || x > 106 {
			return nil, fmt.Errorf("code 128: symbol value %d: %w", x, ErrCode128)
		}
		bar := true
		for _, w := range code128Widths[x] {
			for k := 0; k < int(w-'0'); k++ {
				out = append(out, bar)
			}
			bar = !bar
		}
	}
	return out, nil
}

// Code128Modules returns the width in modules of content encoded with
// Code128Plan, check and stop included, without quiet zones.
func Code128Modules(content string) (int, error) {
	runs, err := Code128Plan(content)
	if err != nil {
		return 0, err
	}
	v, err := Code128Values(runs)
	if err != nil {
		return 0, err
	}
	return 11*(len(v)-1) + 13, nil
}

// DrawCode128Bits draws modules with the first at (x, y), each m dots wide
// and h dots long. Rotated turns the symbol 90° clockwise: it then reads
// from the top down, its bars h dots wide from x.
func DrawCode128Bits(img *image.Gray, x, y, m, h int, bits []bool, rotated bool) {
	for i, bar := range bits {
		if !bar {
			continue
		}
		if rotated {
			FillRect(img, x, y+i*m, h, m)
		} else {
			FillRect(img, x+i*m, y, m, h)
		}
	}
}

// NewCode128 plans content and returns the barcode element at (x, y).
func NewCode128(x, y, module, height int, content string, rotated bool) (*Code128, error) {
	runs, err := Code128Plan(content)
	if err != nil {
		return nil, err
	}
	v, err := Code128Values(runs)
	if err != nil {
		return nil, err
	}
	return &Code128{X: x, Y: y, Module: module, Height: height, Content: content, Runs: runs, Modules: 11*(len(v)-1) + 13, Rotated: rotated}, nil
}
