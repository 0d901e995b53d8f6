package store

import (
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"time"
)

// Shipments are stored in a compact binary form (format byte fmtShipBin1)
// because lookups decode one per row and JSON cost ten times as much. The
// field order below is the format: append new fields at the end only, and
// TestShipmentCodecCoversEveryField fails when a field of Shipment is not
// encoded.
const fmtShipBin1 = 0x02

type binWriter struct{ b []byte }

func (w *binWriter) str(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *binWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *binWriter) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }

// time writes 0 for the zero time, else 1+nanoseconds then unix seconds.
func (w *binWriter) time(t time.Time) {
	if t.IsZero() {
		w.uint(0)
		return
	}
	w.uint(1 + uint64(t.Nanosecond()))
	w.int(t.Unix())
}

var errShortValue = errors.New("corrupt shipment value")

type binReader struct {
	b   []byte
	loc *time.Location
	err error
}

func (r *binReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShortValue
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *binReader) int() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShortValue
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *binReader) str() string {
	n := r.uint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = errShortValue
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *binReader) time() time.Time {
	ns := r.uint()
	if ns == 0 || r.err != nil {
		return time.Time{}
	}
	if ns > 1e9 {
		r.err = errShortValue
		return time.Time{}
	}
	return time.Unix(r.int(), int64(ns-1)).In(r.loc)
}

func (r *binReader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errShortValue
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// milestoneAt entries: a milestone byte (0xff: a raw key string follows)
// and a value: 1 + time when it is an RFC 3339 UTC time that formats back
// identically, else 0 + the raw string.
func putMilestoneAt(w *binWriter, m map[string]string) {
	w.uint(uint64(len(m)))
	for _, k := range sortedKeys(m) {
		v := m[k]
		if ms, err := ParseMilestone(k); err == nil && ms.String() == k {
			w.b = append(w.b, byte(ms))
		} else {
			w.b = append(w.b, 0xff)
			w.str(k)
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil && !t.IsZero() && t.UTC().Format(time.RFC3339Nano) == v {
			w.uint(1)
			w.time(t)
		} else {
			w.uint(0)
			w.str(v)
		}
	}
}

func getMilestoneAt(r *binReader) map[string]string {
	n := r.uint()
	if n == 0 || r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errShortValue
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		var k string
		if c := r.byte(); c == 0xff {
			k = r.str()
		} else if int(c) < NumMilestones {
			k = Milestone(c).String()
		} else {
			r.err = errShortValue
		}
		var v string
		if r.uint() == 1 {
			v = r.time().UTC().Format(time.RFC3339Nano)
		} else {
			v = r.str()
		}
		if r.err != nil {
			return nil
		}
		m[k] = v
	}
	return m
}

func encodeShipmentBin(s *Shipment) []byte {
	w := &binWriter{b: make([]byte, 0, 384)}
	w.b = append(w.b, fmtShipBin1)
	w.str(s.Waybill)
	w.str(s.Carrier)
	w.str(s.OrderID)
	w.str(s.Reference)
	w.uint(uint64(len(s.ChildWaybills)))
	for _, c := range s.ChildWaybills {
		w.str(c)
	}
	w.str(s.Routing.BigPen)
	w.str(s.Routing.SortCode)
	w.str(s.Routing.DestCode)
	w.str(s.Routing.PkgCode)
	w.str(s.Routing.PkgName)
	w.str(s.Routing.QRContent)
	w.str(s.RecipientName)
	w.str(s.RecipientPhone)
	w.str(s.RecipientAddr)
	w.b = append(w.b, byte(s.Milestone))
	w.str(s.RawState)
	putMilestoneAt(w, s.MilestoneAt)
	w.time(s.CreatedAt)
	w.time(s.UpdatedAt)
	w.time(s.PrintedAt)
	w.time(s.LastEventAt)
	sub := &s.Subscription
	w.str(string(sub.State))
	w.str(sub.CallbackURL)
	w.str(sub.Salt)
	w.time(sub.SubscribedAt)
	w.int(int64(sub.MonthCount))
	w.str(sub.Month)
	w.time(sub.LastPushAt)
	w.str(sub.Error)
	w.time(s.NextPollAt)
	w.int(int64(s.PollsToday))
	w.str(s.PollDay)
	w.time(s.LastPollAt)
	w.int(int64(s.EventCount))
	w.int(int64(s.ReprintCount))
	if s.OptOutSMS {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
	w.str(s.CreatedBy)
	// Added later: a value that ends before here reads with these empty.
	w.time(s.HandedOverAt)
	w.str(s.HandoverID)
	// Added after HandoverID.
	w.str(s.SenderAddr)
	w.str(s.CarrierOrder)
	w.str(s.Courier.PickupName)
	w.str(s.Courier.PickupPhone)
	w.str(s.Courier.DeliveryName)
	w.str(s.Courier.DeliveryPhone)
	keys := slices.Sorted(maps.Keys(s.Routing.Extra))
	w.uint(uint64(len(keys)))
	for _, k := range keys {
		w.str(k)
		w.str(s.Routing.Extra[k])
	}
	// Added after Routing.Extra.
	w.str(s.PayType)
	return w.b
}

func decodeShipmentBin(v []byte, loc *time.Location) (Shipment, error) {
	var s Shipment
	if len(v) == 0 || v[0] != fmtShipBin1 {
		return s, errShortValue
	}
	r := &binReader{b: v[1:], loc: loc}
	s.Waybill = r.str()
	s.Carrier = r.str()
	s.OrderID = r.str()
	s.Reference = r.str()
	if n := r.uint(); n > 0 && n <= uint64(len(r.b)) {
		s.ChildWaybills = make([]string, n)
		for i := range s.ChildWaybills {
			s.ChildWaybills[i] = r.str()
		}
	} else if n > 0 {
		r.err = errShortValue
	}
	s.Routing.BigPen = r.str()
	s.Routing.SortCode = r.str()
	s.Routing.DestCode = r.str()
	s.Routing.PkgCode = r.str()
	s.Routing.PkgName = r.str()
	s.Routing.QRContent = r.str()
	s.RecipientName = r.str()
	s.RecipientPhone = r.str()
	s.RecipientAddr = r.str()
	s.Milestone = Milestone(r.byte())
	s.RawState = r.str()
	s.MilestoneAt = getMilestoneAt(r)
	s.CreatedAt = r.time()
	s.UpdatedAt = r.time()
	s.PrintedAt = r.time()
	s.LastEventAt = r.time()
	sub := &s.Subscription
	sub.State = SubState(r.str())
	sub.CallbackURL = r.str()
	sub.Salt = r.str()
	sub.SubscribedAt = r.time()
	sub.MonthCount = int(r.int())
	sub.Month = r.str()
	sub.LastPushAt = r.time()
	sub.Error = r.str()
	s.NextPollAt = r.time()
	s.PollsToday = int(r.int())
	s.PollDay = r.str()
	s.LastPollAt = r.time()
	s.EventCount = int(r.int())
	s.ReprintCount = int(r.int())
	s.OptOutSMS = r.byte() == 1
	s.CreatedBy = r.str()
	if r.err == nil && len(r.b) > 0 {
		s.HandedOverAt = r.time()
		s.HandoverID = r.str()
	}
	if r.err == nil && len(r.b) > 0 {
		s.SenderAddr = r.str()
		s.CarrierOrder = r.str()
		s.Courier.PickupName = r.str()
		s.Courier.PickupPhone = r.str()
		s.Courier.DeliveryName = r.str()
		s.Courier.DeliveryPhone = r.str()
		if n := r.uint(); n > 0 && n <= uint64(len(r.b)) {
			s.Routing.Extra = make(map[string]string, n)
			for range n {
				k := r.str()
				s.Routing.Extra[k] = r.str()
			}
		} else if n > 0 {
			r.err = errShortValue
		}
	}
	if r.err == nil && len(r.b) > 0 {
		s.PayType = r.str()
	}
	if r.err != nil {
		return Shipment{}, r.err
	}
	if len(r.b) != 0 || !s.Milestone.Valid() {
		return Shipment{}, errShortValue
	}
	return s, nil
}
