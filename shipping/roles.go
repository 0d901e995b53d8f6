package shipping

import (
	"fmt"
	"shipdesk/store"
)

// Action names something a person may do; Allowed decides who may.
type Action string

// The actions the role rules cover. Sensitive ones (reprint, cancel,
// settings, export, backup, resend SMS, resolve exception) are also written
// to the audit log by the Service.
const (
	ActShip       Action = "ship"        // create an order and issue a waybill
	ActPreview    Action = "preview"     // render a label preview
	ActReprint    Action = "reprint"     // print a label again (reason required)
	ActCancel     Action = "cancel"      // cancel a waybill before pickup
	ActSearch     Action = "search"      // find shipments
	ActImport     Action = "import"      // import orders from CSV
	ActStats      Action = "stats"       // dashboard figures
	ActSettings   Action = "settings"    // change settings
	ActExport     Action = "export"      // export shipments as CSV
	ActBackup     Action = "backup"      // copy the database
	ActResendSMS  Action = "resend_sms"  // send a milestone SMS again
	ActExceptions Action = "exceptions"  // resolve exceptions
	ActPrintQueue Action = "print_queue" // retry or cancel print jobs
	ActPrivacy    Action = "privacy"     // delete a patient's data, apply retention
	ActHandover   Action = "handover"    // hand the day's parcels to the courier
)

// rules is the one place the role rules live: which role may do what.
var rules = map[store.Role]map[Action]bool{
	store.RoleFrontDesk: {
		ActShip: true, ActPreview: true, ActCancel: true, ActSearch: true, ActImport: true, ActPrintQueue: true,
		ActHandover: true,
	},
	store.RoleWarehouse: {
		ActPreview: true, ActReprint: true, ActSearch: true, ActPrintQueue: true, ActHandover: true,
	},
	store.RoleManager: {
		ActShip: true, ActPreview: true, ActReprint: true, ActCancel: true, ActSearch: true,
		ActImport: true, ActStats: true, ActSettings: true, ActExport: true, ActBackup: true,
		ActResendSMS: true, ActExceptions: true, ActPrintQueue: true, ActPrivacy: true, ActHandover: true,
	},
}

// Allowed reports whether a user with role may perform action. Unknown roles
// may do nothing.
func Allowed(role store.Role, action Action) bool {
	return rules[role][action]
}

// canSeePhone reports whether role sees recipients' full phone numbers;
// everyone else sees them masked (138****5678).
func canSeePhone(role store.Role) bool { return role == store.RoleManager }

// User is the person acting, as the GUI or the command line knows them.
type User struct {
	Name string
	Role store.Role
}

// System is the user the command line and background work act as: a
// manager named "system".
var System = User{Name: "system", Role: store.RoleManager}

func (s *Service) allow(u User, a Action) error {
	if !Allowed(u.Role, a) {
		return fmt.Errorf("%s: %w", a, ErrForbidden)
	}
	return nil
}

// maskFor returns sh with the recipient's phone masked unless u's role may
// see it.
func maskFor(u User, sh store.Shipment) store.Shipment {
	if !canSeePhone(u.Role) {
		sh.RecipientPhone = store.MaskPhone(sh.RecipientPhone)
	}
	return sh
}
