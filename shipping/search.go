package shipping

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"shipdesk/store"
	"slices"
	"strings"
	"time"
	"unicode"
)

var (
	waybillLikeRe = regexp.MustCompile(`^[A-Z]{0,4}\d{8,22}$`)
	last4Re       = regexp.MustCompile(`^\d{4}$`)
)

// CleanScan tidies what a barcode scanner or a person typed as a waybill
// number: spaces, control characters (a scanner's Enter or Tab), full-width
// characters and lower case are removed.
func CleanScan(s string) string {
	s = narrow(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '-' {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// Search finds shipments by what a person typed or scanned: a waybill
// number (exact), a mobile number or its last four digits, a name (exact or
// prefix), the clinic's reference (配镜单号) or our order id (exact; case,
// spaces and dashes ignored), or nothing (everything created in the date
// range). A query shaped like a waybill or a phone that finds nothing as
// one is tried as a reference; any other text finds reference matches
// first, then names. from and to, when not zero, limit the results to
// shipments created in that range; to is inclusive of its whole day. Every
// lookup uses the store's indexes. Phones are masked unless the role may
// see them. limit <= 0 means 200.
func (s *Service) Search(ctx context.Context, u User, q string, from, to time.Time, limit int) ([]store.Shipment, error) {
	if err := s.allow(u, ActSearch); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 200
	}
	q = strings.TrimSpace(narrow(q))
	var (
		found    []store.Shipment
		err      error
		triedRef bool
	)
	scan := CleanScan(q)
	phone := normalizePhone(q)
	switch {
	case q == "":
		f, t := from, to
		if f.IsZero() {
			f = s.now().AddDate(0, 0, -30)
		}
		if t.IsZero() {
			t = s.now()
		}
		found, err = s.d.DB.ShipmentsByDay(ctx, f, t, limit)
	case validMobile(phone):
		found, err = s.d.DB.ShipmentsByPhone(ctx, phone, limit)
		if err == nil && len(found) == 0 && waybillLikeRe.MatchString(scan) {
			// Some waybill numbers look like mobile numbers.
			if sh, gerr := s.d.DB.Shipment(ctx, scan); gerr == nil {
				found = []store.Shipment{sh}
			}
		}
	case last4Re.MatchString(scan):
		found, err = s.d.DB.ShipmentsByPhone(ctx, scan, limit)
	case waybillLikeRe.MatchString(scan):
		var sh store.Shipment
		sh, err = s.d.DB.Shipment(ctx, scan)
		if err == nil {
			found = []store.Shipment{sh}
		} else if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
	case validPhone(phone):
		found, err = s.d.DB.ShipmentsByPhone(ctx, phone, limit)
	default:
		// Free text: a reference such as "A-123" or "配镜2026-88", else a name.
		found, err = s.byReference(ctx, q, limit)
		if err == nil {
			var names []store.Shipment
			names, err = s.d.DB.ShipmentsByName(ctx, q, limit)
			found = appendNew(found, names)
		}
		triedRef = true
	}
	if err == nil && len(found) == 0 && q != "" && !triedRef {
		// A scanned 配镜单号 or order id looks like a waybill or a phone.
		found, err = s.byReference(ctx, q, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q, err)
	}
	out := found[:0]
	for _, sh := range found {
		if !inRange(sh.CreatedAt, from, to) {
			continue
		}
		out = append(out, maskFor(u, sh))
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// byReference looks q up as a reference or order id; text with nothing
// to match (only dashes, say) finds nothing rather than failing.
func (s *Service) byReference(ctx context.Context, q string, limit int) ([]store.Shipment, error) {
	found, err := s.d.DB.ShipmentsByReference(ctx, q, limit)
	if errors.Is(err, store.ErrInvalid) {
		return nil, nil
	}
	return found, err
}

// appendNew appends the shipments of more whose waybill is not in list yet.
func appendNew(list, more []store.Shipment) []store.Shipment {
	for _, sh := range more {
		if !slices.ContainsFunc(list, func(x store.Shipment) bool { return x.Waybill == sh.Waybill }) {
			list = append(list, sh)
		}
	}
	return list
}

func inRange(t, from, to time.Time) bool {
	if !from.IsZero() && t.Before(from) {
		return false
	}
	if !to.IsZero() {
		y, m, d := to.Date()
		end := time.Date(y, m, d, 0, 0, 0, 0, to.Location()).AddDate(0, 0, 1)
		if !t.Before(end) {
			return false
		}
	}
	return true
}
