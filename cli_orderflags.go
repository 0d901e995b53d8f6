package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"shipdesk/assets/i18n"
	"shipdesk/store"
)

// orderFile is the order JSON of DESIGN.md §4, accepted by label, print and
// order create. Unknown fields are an error.
type orderFile struct {
	Reference    string      `json:"reference"`
	Recipient    store.Party `json:"recipient"`
	Sender       store.Party `json:"sender"`
	Carrier      string      `json:"carrier"`
	Items        string      `json:"items"`
	Count        int         `json:"count"`
	Weight       float64     `json:"weight"`
	PayType      string      `json:"payType"`
	Product      string      `json:"product"`
	InsuredValue float64     `json:"insuredValue"`
	COD          float64     `json:"cod"`
	Remark       string      `json:"remark"`
	Waybill      string      `json:"waybill"`
}

// orderFlags are the order fields given as flags, or --order FILE.json.
type orderFlags struct {
	file                       string
	waybill, carrier           string
	toName, toPhone, toAddr    string
	fromName, fromPhone, fromA string
	items, remark, reference   string
}

// register adds the order flags to fs.
func (o *orderFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.file, "order", "", "order JSON file")
	fs.StringVar(&o.waybill, "waybill", "", "existing waybill number")
	fs.StringVar(&o.carrier, "carrier", "", "Kuaidi100 company code")
	fs.StringVar(&o.toName, "to-name", "", "recipient name")
	fs.StringVar(&o.toPhone, "to-phone", "", "recipient phone")
	fs.StringVar(&o.toAddr, "to-addr", "", "recipient address")
	fs.StringVar(&o.fromName, "from-name", "", "sender name")
	fs.StringVar(&o.fromPhone, "from-phone", "", "sender phone")
	fs.StringVar(&o.fromA, "from-addr", "", "sender address")
	fs.StringVar(&o.items, "items", "", "contents, e.g. glasses, 1 pair")
	fs.StringVar(&o.remark, "remark", "", "remark")
	fs.StringVar(&o.reference, "reference", "", "the clinic's order number")
}

// given reports whether any order field was supplied.
func (o *orderFlags) given() bool {
	return o.file != "" || o.waybill != "" || o.toName != "" || o.toPhone != "" || o.toAddr != ""
}

// load builds the order from the file or the flags; missing optional fields
// take the defaults in s. Flags given alongside --order override the file.
func (o *orderFlags) load(s store.Settings) (store.Order, error) {
	var f orderFile
	if o.file != "" {
		b, err := os.ReadFile(o.file)
		if err != nil {
			return store.Order{}, i18n.Wrap(fmt.Errorf("read order file: %w", err), "The order file %s cannot be read: check the path.", o.file)
		}
		parsed, err := parseOrderJSON(b)
		if err != nil {
			return store.Order{}, i18n.Wrap(fmt.Errorf("order file %s: %w", o.file, err), "The order file %s is not a valid order: check it against the example in the README (unknown fields are refused).", o.file)
		}
		f = parsed
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&f.Waybill, o.waybill)
	set(&f.Carrier, o.carrier)
	set(&f.Recipient.Name, o.toName)
	set(&f.Recipient.Phone, o.toPhone)
	set(&f.Recipient.Address, o.toAddr)
	set(&f.Sender.Name, o.fromName)
	set(&f.Sender.Phone, o.fromPhone)
	set(&f.Sender.Address, o.fromA)
	set(&f.Items, o.items)
	set(&f.Remark, o.remark)
	set(&f.Reference, o.reference)
	return f.order(s), nil
}

// parseOrderJSON decodes one order, refusing unknown fields and trailing data.
func parseOrderJSON(b []byte) (orderFile, error) {
	var f orderFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("not a valid order: %w", err)
	}
	if dec.More() {
		return f, fmt.Errorf("not a valid order: more than one JSON value")
	}
	return f, nil
}

// order fills the defaults from the settings.
func (f orderFile) order(s store.Settings) store.Order {
	return s.OrderDefaults(store.Order{
		Reference: strings.TrimSpace(f.Reference), Recipient: f.Recipient, Sender: f.Sender,
		Carrier: strings.ToLower(strings.TrimSpace(f.Carrier)), Items: f.Items, Count: f.Count,
		Weight: f.Weight, PayType: f.PayType, Product: f.Product, InsuredValue: f.InsuredValue,
		COD: f.COD, Remark: f.Remark, Waybill: strings.TrimSpace(f.Waybill),
	})
}
