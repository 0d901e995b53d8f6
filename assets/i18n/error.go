package i18n

import "fmt"

// Error is an error a person reads: the sentence that says what to do (an
// English catalogue key, shown in the language in use) and the form field
// it concerns, with the technical cause kept for the log.
type Error struct {
	// Key is the English sentence telling the person what to do; it is the
	// catalogue key, and may hold fmt verbs that Args fill.
	Key  string
	Args []any
	// Field names the form field the sentence is about (shipping's
	// Field... constants, e.g. "recipient.phone"); empty when none.
	Field string
	// Err is the technical cause, for the log; nil when there is none.
	Err error
}

// Wrap gives cause (which may be nil) the sentence key, formatted with args.
func Wrap(cause error, key string, args ...any) *Error {
	return &Error{Key: key, Args: args, Err: cause}
}

// Field returns a sentence about one form field.
func Field(field, key string, args ...any) *Error {
	return &Error{Key: key, Args: args, Field: field}
}

// Error is the English sentence and the cause, for the log.
func (e *Error) Error() string {
	s := e.english()
	if e.Field != "" {
		s = e.Field + ": " + s
	}
	if e.Err != nil {
		s += " (" + e.Err.Error() + ")"
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Text is the sentence in the language in use.
func (e *Error) Text() string { return F(e.Key, e.Args...) }

func (e *Error) english() string {
	if len(e.Args) == 0 {
		return e.Key
	}
	return fmt.Sprintf(e.Key, e.Args...)
}
