//go:build !nousb && cgo

package printer

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/gousb"
)

func ep(num int, dir gousb.EndpointDirection, tt gousb.TransferType) gousb.EndpointDesc {
	addr := gousb.EndpointAddress(num)
	if dir == gousb.EndpointDirectionIn {
		addr |= 0x80
	}
	return gousb.EndpointDesc{Address: addr, Number: num, Direction: dir, TransferType: tt, MaxPacketSize: 512}
}

func eps(e ...gousb.EndpointDesc) map[gousb.EndpointAddress]gousb.EndpointDesc {
	m := map[gousb.EndpointAddress]gousb.EndpointDesc{}
	for _, d := range e {
		m[d.Address] = d
	}
	return m
}

func TestFindPrinterAlt(t *testing.T) {
	out3 := ep(3, gousb.EndpointDirectionOut, gousb.TransferTypeBulk)
	in4 := ep(4, gousb.EndpointDirectionIn, gousb.TransferTypeBulk)
	hidIn := ep(1, gousb.EndpointDirectionIn, gousb.TransferTypeInterrupt)
	// A DeTong-style device: HID interface 0, printer interface 1 with a
	// one-way alt 0 and a bidirectional alt 1 (Gprinter endpoints 0x03/0x84).
	d := &gousb.DeviceDesc{Configs: map[int]gousb.ConfigDesc{1: {Number: 1, Interfaces: []gousb.InterfaceDesc{
		{Number: 0, AltSettings: []gousb.InterfaceSetting{{Number: 0, Alternate: 0, Class: gousb.ClassHID, Endpoints: eps(hidIn)}}},
		{Number: 1, AltSettings: []gousb.InterfaceSetting{
			{Number: 1, Alternate: 0, Class: gousb.ClassPrinter, SubClass: 1, Protocol: 1, Endpoints: eps(out3)},
			{Number: 1, Alternate: 1, Class: gousb.ClassPrinter, SubClass: 1, Protocol: 2, Endpoints: eps(out3, in4)},
			{Number: 1, Alternate: 2, Class: gousb.ClassPrinter, SubClass: 1, Protocol: 3, Endpoints: eps(out3, in4)},
		}},
	}}}}
	alt, ok := findPrinterAlt(d)
	want := printerAlt{cfgNum: 1, cfgIndex: 0, intf: 1, alt: 1, out: 3, in: 4, bidir: true}
	if !ok || alt != want {
		t.Fatalf("findPrinterAlt = %+v, %v; want %+v", alt, ok, want)
	}
	// One-way only.
	d.Configs[1].Interfaces[1].AltSettings = d.Configs[1].Interfaces[1].AltSettings[:1]
	alt, ok = findPrinterAlt(d)
	if !ok || alt.bidir || alt.in != -1 || alt.out != 3 {
		t.Fatalf("one-way printer: %+v, %v", alt, ok)
	}
	// Not a printer.
	if _, ok := findPrinterAlt(&gousb.DeviceDesc{Configs: map[int]gousb.ConfigDesc{1: {Interfaces: d.Configs[1].Interfaces[:1]}}}); ok {
		t.Fatal("an HID device was taken for a printer")
	}
}

func TestMapUSBErr(t *testing.T) {
	tests := []struct {
		err  error
		want error
	}{
		{gousb.ErrorNoDevice, ErrDisconnected},
		{gousb.ErrorIO, ErrDisconnected},
		{gousb.TransferNoDevice, ErrDisconnected},
		{gousb.TransferError, ErrDisconnected},
		{gousb.ErrorAccess, ErrPermission},
		{gousb.ErrorBusy, ErrBusy},
		{gousb.ErrorTimeout, ErrTimeout},
		{gousb.TransferTimedOut, ErrTimeout},
		{fmt.Errorf("claim: %w", gousb.ErrorNotFound), ErrNotFound},
	}
	// gousb's Config/Interface flatten libusb errors with %v.
	for err, want := range map[error]error{
		fmt.Errorf("failed to claim interface 0 on vid=1203,pid=0230,bus=1,addr=2,config=1: %v", gousb.ErrorBusy):         ErrBusy,
		fmt.Errorf("Can't detach kernel driver of the device x and interface 0: %v", gousb.ErrorAccess):                   ErrPermission,
		fmt.Errorf("failed to query active config of the device vid=1203,pid=0230,bus=1,addr=2: %v", gousb.ErrorNoDevice): ErrDisconnected,
	} {
		if got := mapUSBErr(err); !errors.Is(got, want) {
			t.Errorf("mapUSBErr(%v) = %v, want %v", err, got, want)
		}
	}
	for _, tt := range tests {
		got := mapUSBErr(tt.err)
		if !errors.Is(got, tt.want) {
			t.Errorf("mapUSBErr(%v) = %v, want %v", tt.err, got, tt.want)
		}
		if !errors.Is(got, tt.err) {
			t.Errorf("mapUSBErr(%v) lost the libusb error", tt.err)
		}
	}
	if d := Describe(mapUSBErr(gousb.ErrorAccess)); d == "" || !strings.Contains(d, "udev") {
		t.Errorf("permission advice %q does not mention the udev rule", d)
	}
}
