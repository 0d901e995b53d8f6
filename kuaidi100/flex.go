package kuaidi100

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Str is a JSON value that arrives as a string, a number, a boolean or null
// and is kept as its text ("200", "1", "true"; null is ""). Kuaidi100 sends
// numbers as strings in some places and as numbers in others.
type Str string

// UnmarshalJSON implements json.Unmarshaler.
func (s *Str) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"' && len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b):
		*s = Str(b[1 : len(b)-1]) // no escapes: the bytes are the text
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Str(v)
	case b[0] == '{' || b[0] == '[':
		// an object or array where text was expected: keep nothing
		*s = ""
	default:
		*s = Str(b) // number or true/false, verbatim
	}
	return nil
}

// Int is an integer that may arrive as a JSON number or a numeric string.
// Anything unparseable decodes as 0.
type Int int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(b []byte) error {
	var s Str
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	t := strings.TrimSpace(string(s))
	if v, err := strconv.ParseInt(t, 10, 64); err == nil {
		*n = Int(v)
		return nil
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil {
		*n = Int(f)
		return nil
	}
	*n = 0
	return nil
}

// Bool is a boolean that may arrive as true/false, "true"/"false", 1/0 or
// "1"/"0".
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (v *Bool) UnmarshalJSON(b []byte) error {
	var s Str
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(string(s))) {
	case "true", "1", "y", "yes":
		*v = true
	default:
		*v = false
	}
	return nil
}
