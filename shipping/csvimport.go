package shipping

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"shipdesk/assets/i18n"
	"shipdesk/kuaidi100"
	"shipdesk/store"
)

// Import limits: a file larger or longer than this is refused as a whole.
const (
	MaxImportBytes = 8 << 20
	MaxImportRows  = 5000
)

// RowError is one problem in one row of an imported file. Row is the line
// number as Excel shows it (the header is row 1); Field names the column
// ("" for the whole row); Message is the sentence in the app's language.
type RowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (e RowError) Error() string { return fmt.Sprintf("row %d: %s", e.Row, e.Message) }

// ErrImport is wrapped by errors that reject a whole file (not a CSV, no
// header, too big).
var ErrImport = errors.New("file cannot be imported")

// csvColumns maps header names (Chinese or English, compared without case
// and spaces) to the order field they fill.
var csvColumns = map[string]string{
	"收件人": "name", "收件人姓名": "name", "姓名": "name", "收货人": "name", "收货人姓名": "name", "名字": "name",
	"联系人": "name", "客户": "name", "患者": "name", "name": "name", "recipient": "name", "recipientname": "name",
	"电话": "phone", "手机": "phone", "手机号": "phone", "手机号码": "phone", "联系电话": "phone", "收件人电话": "phone",
	"收件人手机": "phone", "电话号码": "phone", "phone": "phone", "mobile": "phone", "tel": "phone", "recipientphone": "phone",
	"地址": "address", "收件地址": "address", "收货地址": "address", "详细地址": "address", "收件人地址": "address",
	"address": "address", "recipientaddress": "address", "addr": "address",
	"省": "province", "省份": "province", "province": "province",
	"市": "city", "城市": "city", "city": "city",
	"区": "district", "区县": "district", "县区": "district", "district": "district",
	"物品": "items", "品名": "items", "内容": "items", "物品名称": "items", "货物": "items", "items": "items", "cargo": "items",
	"备注": "remark", "remark": "remark", "note": "remark", "notes": "remark",
	"配镜单号": "reference", "订单号": "reference", "参考号": "reference", "reference": "reference", "ref": "reference",
	"快递": "carrier", "快递公司": "carrier", "承运商": "carrier", "carrier": "carrier", "com": "carrier",
	"件数": "count", "数量": "count", "count": "count",
	"重量": "weight", "重量kg": "weight", "重量(kg)": "weight", "重量（kg）": "weight", "weight": "weight",
	"保价": "insured", "保价金额": "insured", "insuredvalue": "insured",
	"收件信息": "paste", "收货信息": "paste", "信息": "paste", "info": "paste",
}

func headerKey(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(narrow(s)), ""))
	return strings.Trim(s, "*：:")
}

// decodeText returns the UTF-8 text of a file saved by Excel or a text
// editor: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030
// (what Excel's plain "CSV" saves on a Chinese Windows).
func decodeText(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return string(b[3:]), nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), b)
		if err != nil {
			return "", fmt.Errorf("decode UTF-16: %w", err)
		}
		return string(out), nil
	case utf8.Valid(b):
		return string(b), nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b)
	if err != nil {
		return "", fmt.Errorf("decode GBK: %w", err)
	}
	return string(out), nil
}

// ImportCSV reads orders from a CSV (or tab-separated) file exported from
// Excel, in UTF-8 or GBK, with a header row naming the columns in Chinese
// or English (收件人/姓名/name, 电话/手机/phone, 地址/address, 物品/items,
// 备注/remark, 配镜单号/reference, 快递/carrier, and optionally 省/市/区,
// 件数, 重量). Empty fields take the settings' defaults. It returns the
// orders that passed validation, in file order and not yet saved, and one
// RowError per problem in the rows it left out. err is set only when the
// file as a whole cannot be read (wrapping ErrImport).
func (s *Service) ImportCSV(ctx context.Context, u User, r io.Reader) ([]store.Order, []RowError, error) {
	if err := s.allow(u, ActImport); err != nil {
		return nil, nil, err
	}
	st, err := s.d.DB.Settings(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("import: settings: %w", err)
	}
	return parseOrdersCSV(r, st)
}

// parseOrdersCSV is ImportCSV without the service: it reads the file and
// fills defaults from st.
func parseOrdersCSV(r io.Reader, st store.Settings) ([]store.Order, []RowError, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("import: read: %w", err)
	}
	if len(b) > MaxImportBytes {
		return nil, nil, i18n.Wrap(fmt.Errorf("%w: larger than 8 MB", ErrImport), "The file is larger than 8 MB: please import it in parts.")
	}
	text, err := decodeText(b)
	if err != nil {
		return nil, nil, i18n.Wrap(fmt.Errorf("%w: unknown text encoding: %w", ErrImport, err), "The file's text encoding is not recognised: in Excel, save it as \"CSV UTF-8\".")
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	if first, _, _ := strings.Cut(text, "\n"); strings.Count(first, "\t") > strings.Count(first, ",") {
		cr.Comma = '\t'
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, i18n.Wrap(fmt.Errorf("%w: empty", ErrImport), "The file is empty.")
	}
	if err != nil {
		return nil, nil, i18n.Wrap(fmt.Errorf("%w: row 1: %w", ErrImport, err), "Row 1 is not valid CSV: save the file as CSV and try again.")
	}
	cols := map[string]int{}
	for i, h := range header {
		if f, ok := csvColumns[headerKey(h)]; ok {
			if _, dup := cols[f]; !dup {
				cols[f] = i
			}
		}
	}
	_, hasPaste := cols["paste"]
	_, hasName := cols["name"]
	_, hasPhone := cols["phone"]
	_, hasAddr := cols["address"]
	if !hasPaste && (!hasName || !hasPhone || !hasAddr) {
		return nil, nil, i18n.Wrap(fmt.Errorf("%w: no header row", ErrImport), "Row 1 must be the header, with at least the columns 收件人, 电话 and 地址 (or name, phone, address).")
	}
	var (
		orders []store.Order
		errs   []RowError
		rows   int
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			errs = append(errs, RowError{Row: line, Message: i18n.T("This row is not well formed (unpaired quotes?) and was skipped.")})
			continue
		}
		if blank(rec) {
			continue
		}
		rows++
		if rows > MaxImportRows {
			return nil, nil, i18n.Wrap(fmt.Errorf("%w: more than %d rows", ErrImport, MaxImportRows), "The file has more than %d rows: please import it in parts.", MaxImportRows)
		}
		o, rowErrs := orderFromRow(rec, cols, st)
		for i := range rowErrs {
			rowErrs[i].Row = line
		}
		if len(rowErrs) > 0 {
			errs = append(errs, rowErrs...)
			continue
		}
		orders = append(orders, o)
	}
	return orders, errs, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// orderFromRow builds and checks one order.
func orderFromRow(rec []string, cols map[string]int, st store.Settings) (store.Order, []RowError) {
	get := func(f string) string {
		i, ok := cols[f]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var errs []RowError
	o := store.Order{
		Reference: get("reference"), Items: get("items"), Remark: get("remark"),
		Recipient: store.Party{Name: get("name"), Phone: get("phone"), Address: get("address"),
			Province: get("province"), City: get("city"), District: get("district")},
	}
	if p := get("paste"); p != "" {
		got := ParsePaste(p)
		if o.Recipient.Name == "" {
			o.Recipient.Name = got.Name
		}
		if o.Recipient.Phone == "" {
			o.Recipient.Phone = got.Phone
		}
		if o.Recipient.Address == "" {
			o.Recipient.Address = got.Address
		}
	}
	// Separate province/city/district columns go in front of the address
	// when it does not already start with them.
	prefix := ""
	for _, part := range []string{o.Recipient.Province, o.Recipient.City, o.Recipient.District} {
		if part != "" && !strings.Contains(o.Recipient.Address, part) && !strings.HasSuffix(prefix, part) {
			prefix += part
		}
	}
	o.Recipient.Address = prefix + o.Recipient.Address
	if c := get("carrier"); c != "" {
		code, ok := carrierCode(c)
		if !ok {
			errs = append(errs, RowError{Field: FieldCarrier, Message: i18n.F("Unknown carrier “%s”: give the carrier's name (e.g. 中通快递) or code (e.g. zhongtong).", c)})
		}
		o.Carrier = code
	}
	if c := get("count"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 {
			errs = append(errs, RowError{Field: FieldCount, Message: i18n.T("The number of pieces must be a whole number above 0.")})
		}
		o.Count = n
	}
	if w := strings.TrimSuffix(strings.ToLower(get("weight")), "kg"); w != "" {
		f, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
		if err != nil {
			errs = append(errs, RowError{Field: FieldWeight, Message: i18n.T("The weight must be a number of kilograms, e.g. 0.5.")})
		}
		o.Weight = f
	}
	if v := get("insured"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, RowError{Field: FieldInsured, Message: i18n.T("The insured value must be a number (yuan).")})
		}
		o.InsuredValue = f
	}
	o = st.OrderDefaults(o)
	for _, fe := range checkOrder(normalizeOrder(o), knownCarrier) {
		if fe.Field == FieldCarrier && len(errs) > 0 && errs[0].Field == FieldCarrier {
			continue
		}
		errs = append(errs, RowError{Field: fe.Field, Message: fe.Message})
	}
	return normalizeOrder(o), errs
}

// carrierCode accepts a company code or a Chinese name (中通快递, 中通).
func carrierCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if knownCarrier(strings.ToLower(s)) {
		return strings.ToLower(s), true
	}
	for _, c := range kuaidi100.Carriers() {
		if c.Name == s {
			return c.Code, true
		}
	}
	for _, c := range kuaidi100.Carriers() {
		if strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(c.Name, "快递"), "速递"), "速运") == s {
			return c.Code, true
		}
	}
	return s, false
}

// BatchResult is the outcome of one order of a batch.
type BatchResult struct {
	Index  int         // position in the batch
	Result *ShipResult // nil when the order never got saved
	Err    error       // nil when the waybill was issued
	Order  store.Order // the order as submitted (with its id once saved)
}

// ShipBatch ships orders one after another, calling progress (if not nil)
// after each with the number done and the total. Cancelling ctx stops
// before the next order (the order in flight finishes all its steps);
// the results so far are returned with ctx's error. A failing order does
// not stop the batch: its error is in its BatchResult.
func (s *Service) ShipBatch(ctx context.Context, u User, orders []store.Order, opt ShipOptions, progress func(done, total int)) ([]BatchResult, error) {
	if err := s.allow(u, ActShip); err != nil {
		return nil, err
	}
	out := make([]BatchResult, 0, len(orders))
	for i, o := range orders {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		// Cancelling stops between orders: the one in flight finishes
		// (its waybill, label and subscription belong together).
		res, err := s.Ship(context.WithoutCancel(ctx), u, o, opt)
		br := BatchResult{Index: i, Result: res, Err: err, Order: o}
		if res != nil {
			br.Order = res.Order
		}
		out = append(out, br)
		if progress != nil {
			progress(i+1, len(orders))
		}
	}
	return out, nil
}
