package store

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// u64 encodes v as 8 big-endian bytes.
func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// timeKey encodes t so that byte order is time order (sign bit flipped).
func timeKey(t time.Time) []byte { return u64(uint64(t.UnixNano()) ^ (1 << 63)) }

// cat joins byte slices into a new slice.
func cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var sep = []byte{0}

// Value formats. A value starting with '{' is plain JSON. Compressed values
// start with a format byte; the dictionary of a format never changes.
const (
	fmtDeflateDict1 = 0x01 // raw DEFLATE with dict1 as preset dictionary
)

// dict1 holds what most values repeat: JSON field names of Shipment and
// phrases Chinese carriers use in tracking texts. It must never change; add
// dict2 and a new format byte instead.
var dict1 = []byte(`{"waybill":"","carrier":"","orderId":"SD","reference":"","childWaybills":[],"routing":{"bigPen":"","sortCode":"","destCode":"","pkgCode":"","pkgName":"","qrContent":""},"recipientName":"","recipientPhone":"","recipientAddr":"","milestone":"","rawState":"","milestoneAt":{"ordered":"","picked_up":"","in_transit":"","out_for_delivery":"","delivered":"","problem":"","returning":"","returned":"","refused":"","cancelled":"","customs":""},"createdAt":"","updatedAt":"","printedAt":"","lastEventAt":"","subscription":{"state":"subscribed","callbackUrl":"http://","salt":"","subscribedAt":"","monthCount":1,"month":"","lastPushAt":"","error":""},"nextPollAt":"","pollsToday":"pollDay":"","lastPollAt":"","eventCount":"reprintCount":"optOutSms":true,"createdBy":""}` +
	`yuantongzhongtongshentongyundashunfengjdyoudaguojiems天津市北京市上海市广东省浙江省江苏省河北省山东省区县路号` +
	`【】快件已在 完成揽收，揽投员：，电话：已发出，下一站 已到达 快件已到达 正在派件，派件员： 请保持电话畅通 已签收，签收人：本人 感谢使用，期待再次为您服务 分拨中心 转运中心 营业部 派送中 快递柜 驿站 代收 如有疑问请联系 投诉电话 疑难件 退回 拒收`)

var (
	flateWriters = sync.Pool{New: func() any {
		w, err := flate.NewWriterDict(io.Discard, flate.DefaultCompression, dict1)
		if err != nil {
			panic(err)
		}
		return w
	}}
	flateReaders = sync.Pool{New: func() any { return flate.NewReaderDict(bytes.NewReader(nil), dict1) }}
)

// compress returns fmtDeflateDict1 + DEFLATE(raw).
func compress(raw []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(raw)/2 + 16)
	buf.WriteByte(fmtDeflateDict1)
	w := flateWriters.Get().(*flate.Writer)
	w.Reset(&buf)
	w.Write(raw) // a bytes.Buffer never fails
	w.Close()
	flateWriters.Put(w)
	return buf.Bytes()
}

// decompress undoes compress; v must start with a format byte.
func decompress(v []byte) ([]byte, error) {
	if len(v) == 0 || v[0] != fmtDeflateDict1 {
		return nil, errors.New("unknown value format")
	}
	r := flateReaders.Get().(io.ReadCloser)
	defer flateReaders.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(v[1:]), dict1); err != nil {
		return nil, err
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	return out, nil
}

// encodeShipment returns the stored form of s (see shipcodec.go).
func encodeShipment(s *Shipment) ([]byte, error) { return encodeShipmentBin(s), nil }

// decodeShipment reads any stored form: the binary one, plain JSON (files
// written by hand or by early builds) or DEFLATE-compressed JSON.
func decodeShipment(v []byte, loc *time.Location) (Shipment, error) {
	if len(v) > 0 && v[0] == fmtShipBin1 {
		return decodeShipmentBin(v, loc)
	}
	var s Shipment
	raw := v
	if len(v) > 0 && v[0] != '{' {
		var err error
		if raw, err = decompress(v); err != nil {
			return s, err
		}
	}
	err := json.Unmarshal(raw, &s)
	return s, err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Events are stored as one value per waybill: compress(version 1, count,
// then per event in ascending time: varint unix seconds, uvarint nanos,
// Context, Area, Location, RawState as uvarint length + bytes, milestone).
const eventsVersion = 1

func encodeEvents(evs []TrackingEvent) []byte {
	buf := make([]byte, 0, 64*len(evs)+8)
	buf = append(buf, eventsVersion)
	buf = binary.AppendUvarint(buf, uint64(len(evs)))
	for i := range evs {
		e := &evs[i]
		buf = binary.AppendVarint(buf, e.Time.Unix())
		buf = binary.AppendUvarint(buf, uint64(e.Time.Nanosecond()))
		for _, s := range [...]string{e.Context, e.Area, e.Location, e.RawState} {
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
		buf = append(buf, byte(e.Milestone))
	}
	return compress(buf)
}

var errCorrupt = errors.New("corrupt events value")

func decodeEvents(v []byte, loc *time.Location) ([]TrackingEvent, error) {
	if len(v) == 0 {
		return nil, nil
	}
	raw, err := decompress(v)
	if err != nil {
		return nil, err
	}
	if len(raw) < 1 || raw[0] != eventsVersion {
		return nil, errCorrupt
	}
	p := raw[1:]
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)) {
		return nil, errCorrupt
	}
	p = p[k:]
	evs := make([]TrackingEvent, 0, n)
	for range n {
		var e TrackingEvent
		sec, k := binary.Varint(p)
		if k <= 0 {
			return nil, errCorrupt
		}
		p = p[k:]
		ns, k := binary.Uvarint(p)
		if k <= 0 || ns >= 1e9 {
			return nil, errCorrupt
		}
		p = p[k:]
		e.Time = time.Unix(sec, int64(ns)).In(loc)
		for _, dst := range [...]*string{&e.Context, &e.Area, &e.Location, &e.RawState} {
			l, k := binary.Uvarint(p)
			if k <= 0 || l > uint64(len(p)-k) {
				return nil, errCorrupt
			}
			*dst = string(p[k : k+int(l)])
			p = p[k+int(l):]
		}
		if len(p) < 1 || int(p[0]) >= NumMilestones {
			return nil, errCorrupt
		}
		e.Milestone = Milestone(p[0])
		p = p[1:]
		evs = append(evs, e)
	}
	if len(p) != 0 {
		return nil, errCorrupt
	}
	return evs, nil
}
