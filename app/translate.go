package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"shipdesk/assets/i18n"
)

// Languages are the codes UseLanguage accepts, default first.
var Languages = i18n.Languages

// UseLanguage makes every text the app shows (i18n.T: labels, milestones,
// printer statuses, error sentences) come out in language ("zh", the
// default, or "en"), whatever the system locale is. Call it once before New;
// a change made in the settings applies at the next start.
func UseLanguage(language string) error {
	if language != "en" {
		language = "zh"
	}
	if err := i18n.Use(language); err != nil {
		return err
	}
	data, err := i18n.Data(language)
	if err != nil {
		return fmt.Errorf("load %s translation: %w", language, err)
	}
	// Fyne's own dialogs translate their buttons through lang, picking the
	// translation closest to the system locale. Registering the chosen
	// texts under the system locale, under Chinese and under English makes
	// the keys they share with ours ("Cancel", "OK") follow the app's
	// language too.
	for _, loc := range []fyne.Locale{lang.SystemLocale(), "zh", "en"} {
		if err := lang.AddTranslationsForLocale(data, loc); err != nil {
			return fmt.Errorf("load %s translation: %w", language, err)
		}
	}
	return nil
}
