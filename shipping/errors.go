package shipping

import (
	"context"
	"errors"
	"strings"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/printer"
	"shipdesk/printer/label"
	"shipdesk/sms"
	"shipdesk/store"
)

// Errors callers branch on. Their text is English, for the log; Describe
// gives the sentence a clerk reads (see sentences).
var (
	ErrForbidden      = errors.New("not allowed for this role")
	ErrInvalidOrder   = errors.New("order incomplete or wrong")
	ErrPickedUp       = errors.New("parcel already picked up")
	ErrCancelled      = errors.New("waybill cancelled")
	ErrReasonRequired = errors.New("reason required")
	ErrNoWaybill      = errors.New("no such waybill")
	ErrNoPrinter      = errors.New("no printer configured")
	// ErrOrderClosed: the order was closed without a waybill (it was
	// corrected and shipped under a new id, which the sentence names).
	ErrOrderClosed = errors.New("order closed without a waybill")
	// ErrNoWaybillNumber: Kuaidi100 accepted the order but sent no number.
	ErrNoWaybillNumber = errors.New("kuaidi100 order: no waybill number in the reply")
	// ErrSMSOff: the station runs without an SMS notifier.
	ErrSMSOff = errors.New("sms not configured")
)

// ValidationError lists what is wrong with an order. It matches
// ErrInvalidOrder with errors.Is.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, f.Message)
	}
	return strings.Join(parts, " ")
}

// Is reports whether target is ErrInvalidOrder.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidOrder }

// sentences is this package's table: the sentence (a catalogue key) a
// clerk reads for each condition shipping knows, its own sentinels and
// those of the packages below it that have no table of their own (label,
// store, context), in the order Describe tries them.
var sentences = []struct {
	err error
	key string
}{
	{ErrForbidden, i18n.N("You are not allowed to do this: please ask a manager.")},
	{store.ErrUnavailable, i18n.N("The shared database cannot be reached: nothing was saved or shipped. Shipdesk reconnects by itself; please try again in a moment.")},
	{ErrWrongPIN, i18n.N("Wrong PIN. Please try again.")},
	{ErrUnknownUser, i18n.N("There is no such user: ask a manager to add them in Settings.")},
	{ErrPINNotSet, i18n.N("Outside demo mode a manager needs a PIN: please set one to sign in.")},
	{ErrInvalidOrder, i18n.N("The order is incomplete or wrong: please correct it as shown.")},
	{ErrPickedUp, i18n.N("The parcel has been picked up: the waybill can no longer be cancelled.")},
	{ErrCancelled, i18n.N("The waybill is cancelled and cannot be printed.")},
	{ErrReasonRequired, i18n.N("Please give a reason.")},
	{ErrNoWaybill, i18n.N("This waybill number is not known here: check the number and try again.")},
	{ErrNoPrinter, i18n.N("No printer is available: add one under Settings, Printers.")},
	{ErrOrderClosed, i18n.N("This order was closed without a waybill: it was corrected and shipped as a new order.")},
	{ErrNoWaybillNumber, i18n.N("Kuaidi100 returned no waybill number: please try again later (a retry does not order twice).")},
	{ErrSMSOff, i18n.N("SMS is not set up on this station: a manager can set it up under Settings.")},
	{ErrNoPatient, i18n.N("No patient data was found for this phone number: check the number.")},
	{ErrUnknownCarrier, i18n.N("This carrier is not known: choose one from the list.")},
	{ErrHandoverFinished, i18n.N("This handover is finished: start a new one.")},
	{ErrHandoverEmpty, i18n.N("No parcel has been scanned: a handover sheet cannot be empty.")},
	{ErrNoDataFolder, i18n.N("This station has no data folder to keep the credentials in: start Shipdesk with its data folder.")},
	{ErrWaitingForNumber, waitingKey},
	{ErrNoAccountStore, i18n.N("This station cannot keep carrier accounts: start it with a data folder.")},
	{ErrImport, i18n.N("The file cannot be imported: save it from Excel as CSV with a header row and try again.")},
	{label.ErrMissingGlyph, i18n.N("The label cannot be made: a character cannot be printed; please use common characters or pinyin.")},
	{label.ErrTextTooLong, i18n.N("The label cannot be made: the text is too long for the label; please shorten it.")},
	{label.ErrNoWaybill, i18n.N("The label cannot be made without a waybill number.")},
	{label.ErrCode128, i18n.N("The label cannot be made: the waybill number holds characters a barcode cannot carry; check the number.")},
	{label.ErrQR, i18n.N("The label cannot be made: the QR code cannot hold this content; check the waybill number and try again.")},
	{label.ErrSize, i18n.N("This label size is not supported: choose 76x130, 100x150 or 100x180.")},
	{store.ErrNotFound, i18n.N("The record was not found: it may have been removed; refresh and try again.")},
	{store.ErrDuplicate, i18n.N("This waybill number is already used by another carrier: check the carrier.")},
	{store.ErrExists, i18n.N("This record already exists: refresh and look for it before adding it again.")},
	{store.ErrInvalid, i18n.N("The entry is not valid: please check it and try again.")},
	{store.ErrAlreadyRunning, i18n.N("Shipdesk is already running with this data folder: switch to that window.")},
	{store.ErrInsecureSecrets, i18n.N("The credentials file can be read by other users: ask the administrator to fix its permissions.")},
	{context.DeadlineExceeded, i18n.N("The network timed out: please try again later (a retry does not order twice).")},
	{context.Canceled, i18n.N("Stopped.")},
}

// kuaidi100Sentences gives kuaidi100's conditions an English sentence
// (key) for the English UI; the Chinese UI shows kuaidi100's own, more
// precise message (its table of return codes).
var kuaidi100Sentences = []struct {
	err error
	key string
}{
	{kuaidi100.ErrNoCredentials, i18n.N("Kuaidi100 is not set up: enter the credentials under Settings.")},
	{kuaidi100.ErrAuth, i18n.N("Kuaidi100 refused the key or customer: check them under Settings.")},
	{kuaidi100.ErrSignature, i18n.N("Kuaidi100 refused the signature: check the key and customer under Settings (they are easily swapped).")},
	{kuaidi100.ErrQuota, i18n.N("The Kuaidi100 account has no balance left or the key has expired: top it up or renew it.")},
	{kuaidi100.ErrBusy, i18n.N("Kuaidi100 is busy: please try again later.")},
	{kuaidi100.ErrServer, i18n.N("Kuaidi100 had a server error: please try again later.")},
	{kuaidi100.ErrNoResult, i18n.N("No tracking yet: the parcel may not have been picked up, or the carrier is wrong.")},
	{kuaidi100.ErrBadCarrier, i18n.N("The carrier is wrong or not supported: check the carrier and try again.")},
	{kuaidi100.ErrPhoneRequired, i18n.N("This carrier needs the phone number (its last 4 digits) to track the parcel.")},
	{kuaidi100.ErrBadRequest, i18n.N("Kuaidi100 refused the order's details: check the order and try again.")},
	{kuaidi100.ErrBadNumber, i18n.N("This is not a valid tracking number: check it and try again.")},
	{kuaidi100.ErrNotEnabled, i18n.N("This Kuaidi100 feature is not enabled for the account: ask Kuaidi100 to enable it.")},
	{kuaidi100.ErrNoAccount, i18n.N("The centre has no complete e-waybill account with this carrier: a manager fills it in under Settings, Carrier accounts.")},
	{kuaidi100.ErrLabelNotReady, i18n.N("Kuaidi100 has not finished the carrier's label image yet: reprint it in a moment.")},
	{kuaidi100.ErrTaskNotFound, i18n.N("The print task was not found or has expired: print the label again.")},
	{kuaidi100.ErrSMSRejected, i18n.N("Kuaidi100 refused the SMS: check the SMS template and the account.")},
	{kuaidi100.ErrBadSignature, i18n.N("A push did not carry the right signature and was ignored.")},
	{kuaidi100.ErrMalformed, i18n.N("Kuaidi100 sent a reply that cannot be read: please try again later.")},
	{kuaidi100.ErrTooLarge, i18n.N("Kuaidi100 sent a reply that is too large: please try again later.")},
}

// genericSentence is what Describe says about an error no table knows.
var genericSentence = i18n.N("Something went wrong: please try again; if it keeps happening, tell the manager (the details are in the log).")

// Describe turns an error from any step into one sentence a clerk can act
// on, in the app's language (package i18n); the detail stays in the log.
// An error no table knows gets a generic sentence.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	if s, ok := Sentence(err); ok {
		return s
	}
	return i18n.T(genericSentence)
}

// Sentence is Describe without the generic fallback: false when no table
// knows err. An *i18n.Error speaks for itself, then the tables are tried: a
// validation error's fields, kuaidi100's, printer's and sms's own tables,
// then this package's (sentences).
func Sentence(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Error(), true
	}
	var ue *i18n.Error
	if errors.As(err, &ue) {
		return ue.Text(), true
	}
	var ke *kuaidi100.Error
	isKE := errors.As(err, &ke)
	if isKE && i18n.Language() == "zh" && ke.Message != "" {
		return ke.Message, true
	}
	for _, s := range kuaidi100Sentences {
		if errors.Is(err, s.err) {
			return i18n.T(s.key), true
		}
	}
	if isKE {
		return i18n.T(genericKuaidi100), true
	}
	if key, ok := printer.Explain(err); ok {
		return i18n.T(key), true
	}
	if key, ok := sms.Explain(err); ok {
		return i18n.T(key), true
	}
	for _, s := range sentences {
		if errors.Is(err, s.err) {
			return i18n.T(s.key), true
		}
	}
	return "", false
}

// genericKuaidi100 is the English UI's sentence for a Kuaidi100 failure no
// sentinel names.
var genericKuaidi100 = i18n.N("Kuaidi100 could not do this: please try again later.")
