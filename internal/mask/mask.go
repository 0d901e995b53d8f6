// Package mask hides secrets for showing: the one rule the store (for the
// saved Kuaidi100 secrets and carrier accounts) and the wire client (for a
// carrier account) both apply, so both show "ab****yz" for the same value.
package mask

// Secret shows the first and last two characters of v: "ab****yz".
// Values of up to six characters are fully hidden; "" stays "".
func Secret(v string) string {
	r := []rune(v)
	switch {
	case len(r) == 0:
		return ""
	case len(r) <= 6:
		return "****"
	}
	return string(r[:2]) + "****" + string(r[len(r)-2:])
}
