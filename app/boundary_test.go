package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// storeReads are the store package's functions a screen may call: pure
// helpers that touch no file or database.
var storeReads = map[string]bool{"MaskPhone": true, "DefaultSettings": true, "Milestones": true}

// TestScreensGoThroughTheService checks the GUI's sources: the store is
// reached only through the service (which checks the role and audits), so
// no store function other than the pure helpers above is called here.
func TestScreensGoThroughTheService(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "store" && !storeReads[sel.Sel.Name] {
				t.Errorf("%s: the GUI calls store.%s; go through a shipping.Service method", fset.Position(c.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}
