package app

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"shipdesk/assets/i18n"
	"shipdesk/assets/i18n/i18ntest"
	"shipdesk/store"
)

// usedKeys finds every catalogue key in the module's sources (every i18n.T,
// F, N, Wrap and Field call outside tests), failing on keys that are not
// literals or from tables of i18n.N keys, plus the texts shown through the store's and printer's names
// (milestones, printer statuses).
func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	used := map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != ".." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, k := range i18ntest.Keys(af) {
			used[k] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range store.Milestones() {
		used[m.English()] = true
	}
	if len(used) < 200 {
		t.Fatalf("found only %d keys; the scan is broken", len(used))
	}
	return used
}

// TestEveryTextIsTranslated checks that every key the sources use has its
// Chinese text, with the same fmt verbs, and that the catalogue holds
// nothing else.
func TestEveryTextIsTranslated(t *testing.T) {
	used := usedKeys(t)
	for k := range used {
		zh, ok := i18n.Lookup("zh", k)
		if !ok || strings.TrimSpace(zh) == "" {
			t.Errorf("zh.json: no text for %q", k)
			continue
		}
		if strings.Count(zh, "%") != strings.Count(k, "%") {
			t.Errorf("zh.json: %q has other format verbs than its key", k)
		}
		if strings.IndexFunc(k, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }) < 0 {
			t.Errorf("key %q is not English: keys are the English text", k)
		}
	}
	for _, k := range i18n.Keys() {
		if !used[k] {
			t.Errorf("zh.json: %q is not used", k)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "assets", "i18n", "zh.json")); err != nil {
		t.Fatal(err)
	}
}

func TestUseLanguage(t *testing.T) {
	t.Cleanup(func() { _ = UseLanguage("zh") })
	if err := UseLanguage("zh"); err != nil {
		t.Fatal(err)
	}
	if got := i18n.T("Ship"); got != "发货" {
		t.Errorf("zh: Ship = %q", got)
	}
	if got := i18n.T("Reprint & search"); got != "补打与查询" {
		t.Errorf("zh: Reprint & search = %q", got)
	}
	if err := UseLanguage("en"); err != nil {
		t.Fatal(err)
	}
	if got := i18n.T("Ship"); got != "Ship" {
		t.Errorf("en: Ship = %q", got)
	}
	if i18n.Language() != "en" {
		t.Errorf("i18n.Language() = %q", i18n.Language())
	}
}
