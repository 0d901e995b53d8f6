package printer_test

import (
	"fmt"

	"shipdesk/printer"
)

func ExampleParseURI() {
	u, err := printer.ParseURI("tcp://192.168.1.50")
	fmt.Println(u.Scheme, u.Addr, err)
	u, _ = printer.ParseURI("usb://1203:0230?serial=A1")
	fmt.Printf("%s %04x:%04x %s\n", u.Scheme, u.VendorID, u.ProductID, u.Serial)
	_, err = printer.ParseURI("usb://1203")
	fmt.Println(err)
	// Output:
	// tcp 192.168.1.50:9100 <nil>
	// usb 1203:0230 A1
	// printer address "usb://1203": "1203" is not VID:PID; write four hex digits each, like usb://1203:0230: bad printer address
}

func ExampleParseTSPLStatus() {
	st := printer.ParseTSPLStatus(0x04)
	fmt.Println(st, st.Chinese(), st.Blocking())
	fmt.Println(printer.Describe(&printer.StatusError{Status: st}))
	// Output:
	// paper out 缺纸 true
	// 打印机缺纸，请装入面单纸后点“重新打印”。
}

func ExampleLanguageFromDeviceID() {
	fmt.Println(printer.LanguageFromDeviceID("MFG:Zebra Technologies;CMD:EPL,ZPL;MDL:ZP 505;CLS:PRINTER;"))
	fmt.Println(printer.LanguageFromDeviceID("MFG:4BARCODE;CMD:TSPL2;MDL:3B-363B;CLS:PRINTER;"))
	// Output:
	// zpl
	// tspl
}
