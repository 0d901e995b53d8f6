package app

import (
	"embed"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// translations holds zh.json and en.json: the English text of every label
// is its key, Chinese is the default language.
//
//go:embed translation
var translations embed.FS

// currentLanguage is the language UseLanguage chose ("zh" or "en").
var currentLanguage = "zh"

// Languages are the codes UseLanguage accepts, default first.
var Languages = []string{"zh", "en"}

// UseLanguage makes every lang.L label come out in language ("zh", the
// default, or "en"), whatever the system locale is. Call it once before New;
// a change made in the settings applies at the next start.
func UseLanguage(language string) error {
	if language != "en" {
		language = "zh"
	}
	data, err := translations.ReadFile("translation/" + language + ".json")
	if err != nil {
		return fmt.Errorf("load %s translation: %w", language, err)
	}
	// Fyne picks the translation closest to the system locale, falling
	// back to English. Registering the chosen texts under the system
	// locale, under Chinese and under English makes every choice land on
	// them; Fyne's own dialog texts keep following the system.
	for _, loc := range []fyne.Locale{lang.SystemLocale(), "zh", "en"} {
		if err := lang.AddTranslationsForLocale(data, loc); err != nil {
			return fmt.Errorf("load %s translation: %w", language, err)
		}
	}
	currentLanguage = language
	return nil
}
