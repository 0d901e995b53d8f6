// Package i18ntest finds the catalogue keys a Go source names, for the
// tests that check every text a person reads has its translation (package
// app for the screens, the root package for the command line).
package i18ntest

import (
	"go/ast"
	"go/token"
	"strconv"
)

// keyArg is, for each i18n function that takes a catalogue key, the index
// of that argument.
var keyArg = map[string]int{"T": 0, "F": 0, "N": 0, "Wrap": 1, "Field": 1}

// Keys returns the catalogue keys written as string literals in f's calls
// of i18n.T, F and N (first argument) and i18n.Wrap and Field (second), in
// source order. A key that is not a literal (a table's, which the table
// marks with i18n.N where it is written) is not returned.
func Keys(f *ast.File) []string {
	var keys []string
	ast.Inspect(f, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := c.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		arg, known := keyArg[sel.Sel.Name]
		if !ok || id.Name != "i18n" || !known || len(c.Args) <= arg {
			return true
		}
		if bl, ok := c.Args[arg].(*ast.BasicLit); ok && bl.Kind == token.STRING {
			if s, err := strconv.Unquote(bl.Value); err == nil {
				keys = append(keys, s)
			}
		}
		return true
	})
	return keys
}
