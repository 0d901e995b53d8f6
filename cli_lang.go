package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/store"
)

// The command line speaks the station's language, the one its GUI shows
// (issue 10: one way to speak to the clerk): every line a person reads
// comes from the catalogue (package i18n) in that language. It is, in
// order:
//
//  1. SHIPDESK_LANG (zh or en), for a script or a person who wants one
//     language whatever the station's settings say;
//  2. the language in the settings of the station's store (the bbolt file
//     in the data folder, or the shared PostgreSQL store the station is
//     on), read once before the command runs;
//  3. Chinese, when there is no store yet or it cannot be read (another
//     program holds the bbolt file, the database server is away).
//
// The stable --json output does not change with the language.

// envLang overrides the station's language for one run of the command line
// (not the GUI, which follows its setting).
const envLang = "SHIPDESK_LANG"

// Bounds of reading the station's language: the bbolt file is held by a
// running GUI or daemon (the command then fails on its own open, in
// Chinese); a shared store may be out of reach.
const (
	langLockTimeout = 100 * time.Millisecond
	langDBTimeout   = 3 * time.Second
)

// languageOverride reads SHIPDESK_LANG: "en", "en_US.UTF-8", "zh", "zh-CN"
// and the like; false when it is unset or names neither language.
func languageOverride() (string, bool) {
	v := strings.ToLower(strings.TrimSpace(os.Getenv(envLang)))
	for _, l := range i18n.Languages {
		if v == l || strings.HasPrefix(v, l+"_") || strings.HasPrefix(v, l+"-") || strings.HasPrefix(v, l+".") {
			return l, true
		}
	}
	return "", false
}

// speakStationLanguage makes i18n answer in the language the command line
// uses for g's station (see above). run calls it before every subcommand,
// so a usage error found before any store is opened is already in the
// station's language.
func speakStationLanguage(ctx context.Context, g *globals) {
	lang, ok := languageOverride()
	if !ok {
		lang = "zh"
		if g != nil {
			if st, found := stationSettings(ctx, g); found {
				lang = st.Language
			}
		}
	}
	if lang != "en" {
		lang = "zh"
	}
	_ = i18n.Use(lang) // Use refuses nothing it is given here
}

// stationSettings reads the settings of g's store without creating one: a
// data folder without a database file (a new station, a relay host) has
// none. false when there are none or they cannot be read.
func stationSettings(ctx context.Context, g *globals) (store.Settings, bool) {
	cfg, err := loadStation(g.DataDir)
	if err != nil {
		return store.Settings{}, false
	}
	dsn := g.DB
	if dsn == "" {
		dsn = os.Getenv(envDB)
	}
	shared := dsn != "" && dsn != "bbolt" && dsn != "file" || dsn == "" && cfg.DB != ""
	if !shared {
		path := filepath.Join(g.DataDir, "shipdesk.db")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) || err != nil {
			return store.Settings{}, false
		}
		db, err := store.Open(path, store.Options{Location: clinicTime, LockTimeout: langLockTimeout})
		if err != nil {
			return store.Settings{}, false
		}
		defer db.Close()
		st, err := db.Settings(ctx)
		return st, err == nil
	}
	ctx, cancel := context.WithTimeout(ctx, langDBTimeout)
	defer cancel()
	db, _, err := openStore(ctx, g, nil, func(string, ...any) {})
	if err != nil {
		return store.Settings{}, false
	}
	defer db.Close()
	st, err := db.Settings(ctx)
	return st, err == nil
}

// cliSentences say what to do about failures only the command line meets
// (a path given on it); shipping.Sentence knows the rest.
var cliSentences = []struct {
	err error
	key string
}{
	{fs.ErrNotExist, i18n.N("A file or folder given on the command line does not exist: check the path.")},
	{fs.ErrPermission, i18n.N("A file or folder cannot be read or written: check its permissions, or give another path.")},
	{context.DeadlineExceeded, i18n.N("It took too long: check the network and try again.")},
	{context.Canceled, i18n.N("Stopped before it was done.")},
}

// cliSentence is the command line's own sentence for err; false when its
// table does not know it.
func cliSentence(err error) (string, bool) {
	for _, s := range cliSentences {
		if errors.Is(err, s.err) {
			return i18n.T(s.key), true
		}
	}
	return "", false
}

// header translates a table's column names (catalogue keys, marked with
// i18n.N at the call).
func header(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = i18n.T(k)
	}
	return out
}

// milestoneName is a milestone's name in the language in use (the JSON
// keeps store.Milestone.Chinese, as documented).
func milestoneName(m store.Milestone) string { return i18n.T(m.English()) }

// usageFrom makes a usage error (exit 2) of an error whose sentence says
// what to fix in the command (an *i18n.Error, e.g. a bad order file).
func usageFrom(err error) error {
	var ue *i18n.Error
	if errors.As(err, &ue) {
		return &usageError{key: ue.Key, args: ue.Args}
	}
	return usagef(i18n.N("the command is not written right: %s"), err.Error())
}
