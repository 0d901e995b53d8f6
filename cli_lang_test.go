package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"shipdesk/assets/i18n"
	"shipdesk/assets/i18n/i18ntest"
	"shipdesk/store"
)

// cliSources parses the command line's sources: every non-test Go file of
// the root package.
func cliSources(t *testing.T) map[string]*ast.File {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*ast.File{}
	fset := token.NewFileSet()
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = f
	}
	if len(out) < 10 {
		t.Fatalf("found only %d source files; the scan is broken", len(out))
	}
	return out
}

// TestEveryCLITextIsTranslated fails when a text the command line prints
// has no Chinese: every catalogue key its sources name (i18n.T, F, N, Wrap,
// Field) is in zh.json with the same fmt verbs.
func TestEveryCLITextIsTranslated(t *testing.T) {
	keys := map[string]string{} // key -> file
	for path, f := range cliSources(t) {
		for _, k := range i18ntest.Keys(f) {
			keys[k] = path
		}
	}
	if len(keys) < 150 {
		t.Fatalf("found only %d keys; the scan is broken", len(keys))
	}
	for k, path := range keys {
		zh, ok := i18n.Lookup("zh", k)
		if !ok || strings.TrimSpace(zh) == "" {
			t.Errorf("%s: zh.json has no text for %q", path, k)
			continue
		}
		if strings.Count(zh, "%") != strings.Count(k, "%") {
			t.Errorf("%s: zh.json: %q has other format verbs than its key", path, k)
		}
	}
}

// TestNoFixedChineseInCLI fails when a source of the command line writes
// Chinese itself instead of taking it from the catalogue (where the English
// station would read it in Chinese). Usage grammar and flag help may name a
// Chinese term beside its English one; the few that do are listed.
func TestNoFixedChineseInCLI(t *testing.T) {
	allowed := map[string]bool{
		"shipdesk — 发货台: %s\n\n%s\n": true, // the product's name
		"、":                          true, // the Chinese list separator
	}
	for path, f := range cliSources(t) {
		ast.Inspect(f, func(n ast.Node) bool {
			bl, ok := n.(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(bl.Value)
			if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 && !allowed[s] {
				t.Errorf("%s: fixed Chinese %q: put the English key in the catalogue and its Chinese in zh.json", path, s)
			}
			return true
		})
	}
}

// catalogueRegexp matches the text of key in the language in use, with
// args in place of its verbs; an empty arg matches anything.
func catalogueRegexp(key string, args ...string) *regexp.Regexp {
	const wild = "\x00"
	vals := make([]any, len(args))
	for i, a := range args {
		if a == "" {
			a = wild
		}
		vals[i] = a
	}
	return regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(i18n.F(key, vals...)), wild, ".*"))
}

// stationWithLanguage makes a data folder whose store's settings choose
// language.
func stationWithLanguage(t *testing.T, language string) string {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "shipdesk.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	st.Language = language
	if err := db.SaveSettings(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCLISpeaksTheStationsLanguage runs the real dispatch on a Chinese and
// an English station: a usage error, a service error and a table header
// come out in the station's language, and --json does not change.
func TestCLISpeaksTheStationsLanguage(t *testing.T) {
	t.Cleanup(func() { _ = i18n.Use("zh") })
	for _, tt := range []struct {
		lang                    string
		usage, failure, heading string
	}{
		{"zh", "shipdesk shipments: --limit -3：请给正数，或 0 表示全部 (见 shipdesk --help)\n",
			"shipdesk patients: 没有找到这个手机号的患者资料，请核对号码。 (forget 139****0000: no patient with this phone number)\n",
			"运单号  快递公司  状态  收件人  电话  配镜单号  创建时间  更新时间\n"},
		{"en", "shipdesk shipments: --limit -3: give a positive number, or 0 for all (see shipdesk --help)\n",
			"shipdesk patients: No patient data was found for this phone number: check the number. (forget 139****0000: no patient with this phone number)\n",
			"WAYBILL  CARRIER  STATE  RECIPIENT  PHONE  REFERENCE  CREATED  UPDATED\n"},
	} {
		dir := stationWithLanguage(t, tt.lang)
		code, stdout, stderr := runCLI(t, "--data-dir", dir, "shipments", "--limit", "-3")
		if code != 2 || stdout != "" || stderr != tt.usage {
			t.Errorf("%s usage error: exit %d, stderr %q, want %q", tt.lang, code, stderr, tt.usage)
		}
		code, _, stderr = runCLI(t, "--data-dir", dir, "patients", "forget", "13900000000")
		if code != 1 || stderr != tt.failure {
			t.Errorf("%s service error: exit %d, stderr %q, want %q", tt.lang, code, stderr, tt.failure)
		}
		code, stdout, stderr = runCLI(t, "--data-dir", dir, "shipments")
		if code != 0 || stdout != tt.heading {
			t.Errorf("%s table: exit %d, stdout %q, want %q (stderr %q)", tt.lang, code, stdout, tt.heading, stderr)
		}
		code, stdout, _ = runCLI(t, "--data-dir", dir, "shipments", "--json")
		if code != 0 || stdout != "[]\n" {
			t.Errorf("%s --json: exit %d, stdout %q", tt.lang, code, stdout)
		}
	}
}

// TestCLILanguageOverride: SHIPDESK_LANG wins over the settings, and a data
// folder without a store speaks Chinese (or the override).
func TestCLILanguageOverride(t *testing.T) {
	t.Cleanup(func() { _ = i18n.Use("zh") })
	zhStation, fresh := stationWithLanguage(t, "zh"), t.TempDir()
	for _, tt := range []struct {
		env, dir, want string
	}{
		{"en_US.UTF-8", zhStation, "shipdesk: unknown command \"frobnicate\" (see shipdesk --help)\n"},
		{"", fresh, "shipdesk: 没有命令 \"frobnicate\" (见 shipdesk --help)\n"},
		{"en", t.TempDir(), "shipdesk: unknown command \"frobnicate\" (see shipdesk --help)\n"},
		{"zh", stationWithLanguage(t, "en"), "shipdesk: 没有命令 \"frobnicate\" (见 shipdesk --help)\n"},
		{"fr", stationWithLanguage(t, "en"), "shipdesk: unknown command \"frobnicate\" (see shipdesk --help)\n"},
	} {
		t.Setenv(envLang, tt.env)
		code, _, stderr := runCLI(t, "--data-dir", tt.dir, "frobnicate")
		if first, _, _ := strings.Cut(stderr, "\n"); code != 2 || first+"\n" != tt.want {
			t.Errorf("%s=%q: exit %d, first line %q, want %q", envLang, tt.env, code, first, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(fresh, "shipdesk.db")); err == nil {
		t.Error("reading the language created a store")
	}
}

// BenchmarkStationLanguage is what reading the station's language adds to
// every run of the command line on a bbolt station (open the file, read
// the settings, close it).
func BenchmarkStationLanguage(b *testing.B) {
	b.Cleanup(func() { _ = i18n.Use("zh") })
	dir := b.TempDir()
	db, err := store.Open(filepath.Join(dir, "shipdesk.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	st, _ := db.Settings(b.Context())
	st.Language = "en"
	if err := db.SaveSettings(b.Context(), st); err != nil {
		b.Fatal(err)
	}
	db.Close()
	g := &globals{DataDir: dir}
	for b.Loop() {
		speakStationLanguage(b.Context(), g)
	}
	if i18n.Language() != "en" {
		b.Fatalf("language %q", i18n.Language())
	}
}

// TestHelpSpeaksTheStationsLanguage: --help and help are in the station's
// language too.
func TestHelpSpeaksTheStationsLanguage(t *testing.T) {
	t.Cleanup(func() { _ = i18n.Use("zh") })
	en, zh := stationWithLanguage(t, "en"), stationWithLanguage(t, "zh")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--data-dir", en, "--help"}, "list stored shipments"},
		{[]string{"--help", "--data-dir", en}, "list stored shipments"},
		{[]string{"--data-dir", en, "help"}, "list stored shipments"},
		{[]string{"--data-dir", zh, "--help"}, "列出已保存的运单"},
		{[]string{"--data-dir", en, "shipments", "--help"}, "usage: shipdesk shipments [--state S] [--limit N] [--json]\n      list stored shipments\n"},
		{[]string{"--data-dir", zh, "shipments", "-h"}, "用法：shipdesk shipments [--state S] [--limit N] [--json]\n      列出已保存的运单\n"},
	} {
		code, stdout, _ := runCLI(t, tt.args...)
		if code != 0 || !strings.Contains(stdout, tt.want) {
			t.Errorf("%q: exit %d, no %q in\n%s", tt.args, code, tt.want, stdout)
		}
	}
}

// TestCLIPrintsNoFixedEnglish fails when the command line hands a person
// English that is not in the catalogue: a usage error or a next step whose
// key is not marked with i18n.N (so the catalogue tests cannot see it), or
// a fmt.Fprint* to stdout or stderr with English words of its own. Log
// lines (logf, log.Printf) keep their English.
func TestCLIPrintsNoFixedEnglish(t *testing.T) {
	keyArg := map[string]int{"usagef": 0, "withNextStep": 1}
	word := regexp.MustCompile(`[A-Za-z]{3,}`)
	verb := regexp.MustCompile(`%[-+# 0-9.*]*[a-zA-Z%]`)
	// The grammar (commands, flags, placeholders, printer addresses,
	// variables) is the same in every language, and so are the names of
	// the two store engines and of what db migrate counts.
	grammar := regexp.MustCompile(`shipdesk( [a-z-]+)?|--[a-z-]+|[A-Z][A-Z0-9_]*|[a-z]+://\S*|\.[a-z]{2,4}\b|bbolt|postgres|dashboard`)
	for path, f := range cliSources(t) {
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			switch fn := c.Fun.(type) {
			case *ast.Ident:
				i, ok := keyArg[fn.Name]
				if !ok || len(c.Args) <= i {
					return true
				}
				if k, ok := c.Args[i].(*ast.CallExpr); ok {
					if sel, ok := k.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "N" {
						return true
					}
				}
				switch k := c.Args[i].(type) {
				case *ast.Ident:
					if k.Name == "key" {
						return true // a key passed on
					}
				case *ast.SelectorExpr:
					if k.Sel.Name == "key" || k.Sel.Name == "Key" {
						return true // from a table of i18n.N keys, or an *i18n.Error
					}
				}
				t.Errorf("%s: %s(%s...): give the key as i18n.N(\"...\")", path, fn.Name, types(c.Args[i]))
			case *ast.SelectorExpr:
				if id, ok := fn.X.(*ast.Ident); !ok || id.Name != "fmt" || !strings.HasPrefix(fn.Sel.Name, "Fprint") {
					return true
				}
				for _, a := range c.Args[1:] {
					bl, ok := a.(*ast.BasicLit)
					if !ok || bl.Kind != token.STRING {
						continue
					}
					s, _ := strconv.Unquote(bl.Value)
					s = grammar.ReplaceAllString(verb.ReplaceAllString(s, ""), "")
					if w := word.FindString(s); w != "" {
						t.Errorf("%s: %s prints %q of its own: take the text from the catalogue (i18n.T / i18n.F)", path, fn.Sel.Name, bl.Value)
					}
				}
			}
			return true
		})
	}
}

func types(e ast.Expr) string {
	if bl, ok := e.(*ast.BasicLit); ok {
		return bl.Value
	}
	return "…"
}
