// Package i18n is how Shipdesk speaks to people: one catalogue of every text
// a person reads (screen labels, milestones, printer statuses, the
// sentences of errors, the command line's lines and the PDF sheets), and the
// one language the station shows them in. The GUI chooses it from the
// settings (app.UseLanguage); the command line from SHIPDESK_LANG, else the
// same settings (cli_lang.go in package main); the sheets (shipping/sheet)
// are written in whichever is in use.
//
// # The catalogue
//
// A text's key is its English wording; zh.json maps each key to its Chinese
// wording. English needs no file: the key is the English text. T looks a
// key up in the language chosen with Use (Chinese until then); F formats the
// text it finds with fmt verbs the key carries. A key missing from the
// catalogue comes back as it is (so English shows), which the tests of
// package app forbid for every key in the module's sources, and those of
// package main for everything the command line prints.
//
// # Speaking to a clerk: Error
//
// Errors keep English text for the log (house style: "op thing: %w").
// What a person reads is a separate sentence saying what to do, and there
// are exactly two ways to give an error one:
//
//   - A sentinel callers branch on (errors.New("job is not failed")) gets
//     its sentence from its package's table (printer.Describe,
//     shipping.Describe): the sentinel stays English, the table maps it to a
//     catalogue key.
//   - An error made where the situation is known (a form field is wrong, an
//     uploaded file cannot be read) is an *Error: Wrap(cause, key, args...)
//     or Field(field, key, args...). Key is the English sentence, Field the
//     form field it concerns, Err the technical cause for the log.
//
// shipping.Describe is the one place the GUI and the command line turn any
// error into a sentence: an *Error found with errors.As speaks for itself,
// then each package's table, then a generic sentence. New messages therefore
// need (1) an English key in an *Error or a table and (2) its Chinese in
// zh.json; package app's tests fail when (2) is missing.
//
// Use is meant to be called once at start, before any screen is built; T,
// F and Error.Text are safe for concurrent use.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sync/atomic"
)

//go:embed zh.json
var files embed.FS

// Languages are the codes Use accepts, the default first.
var Languages = []string{"zh", "en"}

// catalogue is a language's texts keyed by their English text; nil for
// English (the key is the text).
type catalogue struct {
	code  string
	texts map[string]string
}

var (
	current atomic.Pointer[catalogue]
	chinese *catalogue // parsed once; never changed
)

func init() {
	c, err := parse("zh.json")
	if err != nil {
		panic(err) // the embedded file is part of the binary; its tests load it
	}
	chinese = c
	current.Store(c)
}

// Use makes T, F and Error.Text answer in language: "en" for English,
// anything else for Chinese (the default).
func Use(language string) error {
	c, err := load(language)
	if err != nil {
		return err
	}
	current.Store(c)
	return nil
}

// Language is the code of the language in use ("zh" or "en").
func Language() string { return current.Load().code }

// Data returns language's catalogue as JSON (key: text), the form Fyne's
// lang.AddTranslationsForLocale takes. English maps every key to itself.
func Data(language string) ([]byte, error) {
	zh, err := load("zh")
	if err != nil {
		return nil, err
	}
	c, err := load(language)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(zh.texts))
	for k := range zh.texts {
		out[k] = c.lookup(k)
	}
	return json.Marshal(out)
}

// Lookup reports language's text for key and whether the catalogue has it.
// Tests use it; screens use T.
func Lookup(language, key string) (string, bool) {
	zh, err := load("zh")
	if err != nil {
		return key, false
	}
	_, ok := zh.texts[key]
	c, _ := load(language)
	return c.lookup(key), ok
}

// Keys returns every key of the catalogue.
func Keys() []string {
	zh, err := load("zh")
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(zh.texts))
	for k := range zh.texts {
		out = append(out, k)
	}
	return out
}

// T returns the text for key in the language in use; a key the catalogue
// does not hold comes back unchanged.
func T(key string) string { return current.Load().lookup(key) }

// N marks key as a catalogue key without translating it (for tables that
// are translated when shown), so the catalogue tests find it.
func N(key string) string { return key }

// F returns T(key) formatted with args (fmt.Sprintf).
func F(key string, args ...any) string {
	if len(args) == 0 {
		return T(key)
	}
	return fmt.Sprintf(T(key), args...)
}

func (c *catalogue) lookup(key string) string {
	if c == nil || c.texts == nil {
		return key
	}
	if t, ok := c.texts[key]; ok && t != "" {
		return t
	}
	return key
}

func load(language string) (*catalogue, error) {
	if language == "en" {
		return &catalogue{code: "en"}, nil
	}
	return chinese, nil
}

func parse(name string) (*catalogue, error) {
	data, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("load zh translation: %w", err)
	}
	var texts map[string]string
	if err := json.Unmarshal(data, &texts); err != nil {
		return nil, fmt.Errorf("load zh translation: %w", err)
	}
	return &catalogue{code: "zh", texts: texts}, nil
}
