package app

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/shipping"
	"shipdesk/sms"
	"shipdesk/store"
)

// clerkSentinels are the conditions a screen can show, by package. The
// test below checks the list against the packages' sources, so a new
// sentinel cannot be forgotten.
var clerkSentinels = map[string][]error{
	"shipping": {shipping.ErrForbidden, shipping.ErrInvalidOrder, shipping.ErrPickedUp, shipping.ErrCancelled,
		shipping.ErrReasonRequired, shipping.ErrNoWaybill, shipping.ErrNoPrinter, shipping.ErrOrderClosed,
		shipping.ErrNoWaybillNumber, shipping.ErrSMSOff, shipping.ErrWrongPIN, shipping.ErrUnknownUser, shipping.ErrPINNotSet, shipping.ErrImport, shipping.ErrNoPatient,
		shipping.ErrUnknownCarrier, shipping.ErrHandoverFinished, shipping.ErrHandoverEmpty, shipping.ErrNoDataFolder, shipping.ErrWaitingForNumber, shipping.ErrNoAccountStore},
	"printer": {printer.ErrBadURI, printer.ErrNotFound, printer.ErrDisconnected, printer.ErrRefused, printer.ErrTimeout,
		printer.ErrPermission, printer.ErrBusy, printer.ErrUSBNotBuilt, printer.ErrUnsupportedLanguage,
		printer.ErrNotRetryable, printer.ErrNotCancellable, printer.ErrNotWindows},
	"printer/label": {label.ErrNoWaybill, label.ErrSize, label.ErrTextTooLong, label.ErrMissingGlyph, label.ErrCode128, label.ErrQR},
	"sms": {sms.ErrDisabled, sms.ErrNoTemplate, sms.ErrOptedOut, sms.ErrNoMobile, sms.ErrCapReached,
		sms.ErrPending, sms.ErrAlreadyResent},
	"store": {store.ErrNotFound, store.ErrInvalid, store.ErrDuplicate, store.ErrExists, store.ErrAlreadyRunning, store.ErrUnavailable,
		store.ErrInsecureSecrets},
	"kuaidi100": {kuaidi100.ErrNoCredentials, kuaidi100.ErrAuth, kuaidi100.ErrSignature, kuaidi100.ErrQuota,
		kuaidi100.ErrBusy, kuaidi100.ErrServer, kuaidi100.ErrNoResult, kuaidi100.ErrBadCarrier,
		kuaidi100.ErrPhoneRequired, kuaidi100.ErrBadRequest, kuaidi100.ErrBadNumber, kuaidi100.ErrNotEnabled,
		kuaidi100.ErrNoAccount, kuaidi100.ErrLabelNotReady, kuaidi100.ErrTaskNotFound,
		kuaidi100.ErrSMSRejected, kuaidi100.ErrBadSignature, kuaidi100.ErrMalformed, kuaidi100.ErrTooLarge},
	"context": {context.DeadlineExceeded, context.Canceled},
}

// declaredSentinels counts the package-level Err… variables a package's
// sources declare (outside tests).
func declaredSentinels(t *testing.T, dir string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, sp := range g.Specs {
				for _, name := range sp.(*ast.ValueSpec).Names {
					if strings.HasPrefix(name.Name, "Err") && name.IsExported() {
						n++
					}
				}
			}
		}
	}
	return n
}

func hasHanText(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }) >= 0
}

// TestEverySentinelSpeaksTheClerksLanguage walks every sentinel a screen
// can show, bare and wrapped as the services wrap them, and checks the
// sentence the clerk reads: Chinese in the Chinese UI, English (no Chinese)
// in the English UI, never the generic fallback, never the log text.
func TestEverySentinelSpeaksTheClerksLanguage(t *testing.T) {
	t.Cleanup(func() { _ = i18n.Use("zh") })
	for pkg, errs := range clerkSentinels {
		if pkg == "context" {
			continue
		}
		if n := declaredSentinels(t, pkg); n != len(errs) {
			t.Errorf("%s declares %d sentinels, the test lists %d: add the new ones here (and give them a sentence)", pkg, n, len(errs))
		}
	}
	generic := map[string]string{}
	for _, lang := range i18n.Languages {
		if err := i18n.Use(lang); err != nil {
			t.Fatal(err)
		}
		generic[lang] = shipping.Describe(errors.New("some failure"))
	}
	for pkg, errs := range clerkSentinels {
		for _, sentinel := range errs {
			for _, err := range []error{sentinel, fmt.Errorf("op thing: %w", sentinel)} {
				for _, lang := range i18n.Languages {
					if e := i18n.Use(lang); e != nil {
						t.Fatal(e)
					}
					got := shipping.Describe(err)
					switch {
					case got == "" || got == generic[lang]:
						t.Errorf("%s %s: %q has no sentence of its own (%q)", lang, pkg, err, got)
					case lang == "zh" && !hasHanText(got):
						t.Errorf("zh %s: %q reads %q: English in the Chinese UI", pkg, err, got)
					case lang == "en" && hasHanText(got):
						t.Errorf("en %s: %q reads %q: Chinese in the English UI", pkg, err, got)
					case got == sentinel.Error() || strings.Contains(got, "op thing"):
						t.Errorf("%s %s: the clerk reads the log text %q", lang, pkg, got)
					}
				}
			}
		}
	}
	// Printer states and milestones are read on the screens too.
	for _, lang := range i18n.Languages {
		if err := i18n.Use(lang); err != nil {
			t.Fatal(err)
		}
		for _, s := range printer.Statuses() {
			for _, text := range []string{s.Text(), s.Advice(), shipping.Describe(&printer.StatusError{Status: s})} {
				if hasHanText(text) != (lang == "zh") || text == "" {
					t.Errorf("%s: printer status %s reads %q", lang, s, text)
				}
			}
		}
		for _, m := range store.Milestones() {
			if text := milestoneText(m); hasHanText(text) != (lang == "zh") {
				t.Errorf("%s: milestone %s reads %q", lang, m, text)
			}
		}
	}
}
