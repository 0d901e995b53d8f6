package shipping

import (
	"slices"
	"strings"

	"shipdesk/assets/i18n"
	"shipdesk/printer/label"
)

// GlyphWarning tells the clerk that characters of one order field cannot be
// drawn by the label font (an emoji, a character of CJK Extension B or
// later): the label prints a crossed box in their place. The order still
// ships; only the waybill number refuses such characters (label.EWaybill).
type GlyphWarning struct {
	// Field is the order field holding the characters (the Field...
	// constants); empty for text that comes from no order field (the
	// product name from the settings).
	Field string `json:"field,omitempty"`
	// Chars are the characters that print as boxes, each once, in order.
	Chars string `json:"chars"`
	// Message is the sentence for the clerk, in the app's language: the
	// field, the characters with their code points, and what to do.
	Message string `json:"message"`
}

// glyphFields are the label data's texts that come from an order field, in
// form order, with the field's name as the clerk knows it (a catalogue key).
func glyphFields(d label.Data) []struct{ field, what, text string } {
	return []struct{ field, what, text string }{
		{FieldRecipientName, i18n.N("Recipient's name"), d.Recipient.Name + " " + d.Recipient.Company},
		{FieldRecipientPhone, i18n.N("Phone"), d.Recipient.Phone},
		{FieldRecipientAddress, i18n.N("Delivery address"), d.Recipient.Address + " " + d.Recipient.Province + d.Recipient.City + d.Recipient.District},
		{FieldSenderName, i18n.N("Sender"), d.Sender.Name + " " + d.Sender.Company + " " + d.Sender.Phone},
		{FieldSenderAddress, i18n.N("Sender's address"), d.Sender.Address + " " + d.Sender.Province + d.Sender.City + d.Sender.District},
		{FieldItems, i18n.N("Items"), d.Items},
		{FieldRemark, i18n.N("Remark"), d.Remark},
		{FieldReference, i18n.N("Clinic order number"), d.Reference},
	}
}

// GlyphWarnings says which characters of which order field print as boxes
// on l, the label laid out from d. The label decides what prints: a
// character a 隐私面单 masks (王*芳) is not named, as it does not print.
// Characters on the label that no order field holds get one warning with
// an empty Field. Nil when every character prints.
func GlyphWarnings(d label.Data, l *label.Label) []GlyphWarning {
	var printed []rune // every character l prints as a box
	for _, e := range l.Elements {
		if t, ok := e.(*label.Text); ok {
			for _, r := range t.Missing {
				if !slices.Contains(printed, r) {
					printed = append(printed, r)
				}
			}
		}
	}
	if len(printed) == 0 {
		return nil
	}
	var out []GlyphWarning
	named := map[rune]bool{}
	for _, f := range glyphFields(d) {
		var chars []rune
		for _, r := range label.Missing(f.text) {
			if slices.Contains(printed, r) {
				chars = append(chars, r)
				named[r] = true
			}
		}
		if len(chars) > 0 {
			out = append(out, GlyphWarning{Field: f.field, Chars: string(chars),
				Message: i18n.F("%s: %s cannot be drawn by the label font and prints as a box; check it, or write it another way.", i18n.T(f.what), glyphList(chars))})
		}
	}
	var rest []rune
	for _, r := range printed {
		if !named[r] {
			rest = append(rest, r)
		}
	}
	if len(rest) > 0 {
		out = append(out, GlyphWarning{Chars: string(rest),
			Message: i18n.F("%s on the label cannot be drawn by the label font and prints as a box; check it, or write it another way.", glyphList(rest))})
	}
	return out
}

// glyphList names characters with their code points, so that one that
// looks like a common character (a rare variant) can still be found:
// “😀” (U+1F600) “𠀀” (U+20000).
func glyphList(rs []rune) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = i18n.F("“%s” (U+%04X)", string(r), r)
	}
	return strings.Join(parts, " ")
}

// GlyphMessages are the warnings' sentences, one per field.
func GlyphMessages(ws []GlyphWarning) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Message
	}
	return out
}
