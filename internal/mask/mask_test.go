package mask

import "testing"

func TestSecret(t *testing.T) {
	for in, want := range map[string]string{
		"":               "",
		"abc":            "****",
		"abcdef":         "****",
		"abcdefg":        "ab****fg",
		"k3y-of-the-key": "k3****ey",
		"天津眼科医院视光中心":     "天津****中心", // runes, not bytes
	} {
		if got := Secret(in); got != want {
			t.Errorf("Secret(%q) = %q, want %q", in, got, want)
		}
	}
}
