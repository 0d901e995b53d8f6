package shipping

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestReadsAreRefusedByRole: the service, not only the GUI's tabs, refuses
// the figures and lists a role may not see.
func TestReadsAreRefusedByRole(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(1), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wb := res.Shipment.Waybill
	calls := map[string]func(User) error{
		"Stats":      func(u User) error { _, err := e.svc.Stats(ctx, u, time.Now()); return err },
		"Exceptions": func(u User) error { _, err := e.svc.Exceptions(ctx, u); return err },
		"PrintLog":   func(u User) error { _, err := e.svc.PrintLog(ctx, u, 10); return err },
		"Unfinished": func(u User) error { _, err := e.svc.Unfinished(ctx, u); return err },
		"DetailAs":   func(u User) error { _, err := e.svc.DetailAs(ctx, u, wb); return err },
	}
	nobody := User{Name: "路人"}        // no role: nothing allowed
	want := map[string]map[User]bool{ // true: refused
		"Stats":      {frontDesk: true, warehouse: true, manager: false, System: false, nobody: true},
		"Exceptions": {frontDesk: true, warehouse: true, manager: false, System: false, nobody: true},
		"PrintLog":   {frontDesk: false, warehouse: false, manager: false, System: false, nobody: true},
		"Unfinished": {frontDesk: false, warehouse: true, manager: false, System: false, nobody: true},
		"DetailAs":   {frontDesk: false, warehouse: false, manager: false, System: false, nobody: true},
	}
	for name, call := range calls {
		for u, refused := range want[name] {
			err := call(u)
			if got := errors.Is(err, ErrForbidden); got != refused {
				t.Errorf("%s as %s (%s): err %v, want refused=%v", name, u.Name, u.Role, err, refused)
			}
			if !refused && err != nil {
				t.Errorf("%s as %s: %v", name, u.Name, err)
			}
			if refused && Describe(err) != ErrForbidden.Error() {
				t.Errorf("%s as %s: clerk reads %q", name, u.Name, Describe(err))
			}
		}
	}
}

func TestDetailAsMasksPhoneForClerks(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	res, err := e.svc.Ship(ctx, frontDesk, testOrder(2), ShipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	full := res.Order.Recipient.Phone
	for _, u := range []User{frontDesk, warehouse, manager} {
		d, err := e.svc.DetailAs(ctx, u, res.Shipment.Waybill)
		if err != nil {
			t.Fatal(err)
		}
		shown := d.Shipment.RecipientPhone + " " + d.Order.Recipient.Phone
		if CanSeePhone(u.Role) != strings.Contains(shown, full) {
			t.Errorf("%s sees %q (full %s)", u.Role, shown, full)
		}
	}
}
