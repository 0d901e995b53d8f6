package i18ntest

import (
	"go/parser"
	"go/token"
	"slices"
	"testing"
)

func TestKeysFindsEveryCatalogueCall(t *testing.T) {
	const src = `package p
var table = map[string]string{"x": i18n.N("From a table")}
func f(err error, k string) {
	_ = i18n.T("Ship")
	_ = i18n.F("job %d sent", 5)
	_ = i18n.Wrap(err, "The printer is offline.")
	_ = i18n.Field("phone", "Type the phone number.")
	_ = i18n.T(k)            // not a literal: the table's N found it
	_ = other.T("Not ours")  // another package's T
	_ = i18n.Lookup("zh", "Not a key call")
}`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := Keys(f)
	want := []string{"From a table", "Ship", "job %d sent", "The printer is offline.", "Type the phone number."}
	if !slices.Equal(got, want) {
		t.Errorf("Keys = %q, want %q", got, want)
	}
}
