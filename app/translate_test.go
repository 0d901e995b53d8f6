package app

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
)

// TestEveryLabelIsTranslated finds every lang.L call in the GUI's sources
// (this package and gui.go) and checks that its key is a literal present in
// both translation files, and that the files hold nothing else.
func TestEveryLabelIsTranslated(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join("..", "gui.go"))
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fs := token.NewFileSet()
		af, err := parser.ParseFile(fs, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "L" {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "lang" {
				return true
			}
			bl, ok := c.Args[0].(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				t.Errorf("%s: lang.L with a non-literal key cannot be checked", fs.Position(c.Pos()))
				return true
			}
			s, _ := strconv.Unquote(bl.Value)
			used[s] = true
			return true
		})
	}
	if len(used) < 100 {
		t.Fatalf("found only %d labels; the scan is broken", len(used))
	}
	for _, code := range Languages {
		data, err := translations.ReadFile("translation/" + code + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s.json: %v", code, err)
		}
		for k := range used {
			if strings.TrimSpace(m[k]) == "" {
				t.Errorf("%s.json: no text for %q", code, k)
			}
			if strings.Count(m[k], "%") != strings.Count(k, "%") {
				t.Errorf("%s.json: %q has other format verbs than its key", code, k)
			}
		}
		for k := range m {
			if !used[k] {
				t.Errorf("%s.json: %q is not used", code, k)
			}
		}
	}
}

func TestUseLanguage(t *testing.T) {
	t.Cleanup(func() { _ = UseLanguage("en") })
	if err := UseLanguage("zh"); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Ship"); got != "发货" {
		t.Errorf("zh: Ship = %q", got)
	}
	if got := lang.L("Reprint & search"); got != "补打与查询" {
		t.Errorf("zh: Reprint & search = %q", got)
	}
	if err := UseLanguage("en"); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Ship"); got != "Ship" {
		t.Errorf("en: Ship = %q", got)
	}
	if currentLanguage != "en" {
		t.Errorf("currentLanguage = %q", currentLanguage)
	}
}
