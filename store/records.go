package store

import (
	"fmt"
	"time"
)

// Milestone is the small, ordered set of shipment states that the UI, the
// dashboard and the SMS rules speak in. Raw Kuaidi100 states (0-14 and their
// advanced sub-codes) map onto it in package kuaidi100.
type Milestone uint8

// The milestones, in the order a parcel normally passes them.
const (
	MilestoneUnknown        Milestone = iota // no information yet
	MilestoneOrdered                         // waybill issued, not yet picked up (已下单)
	MilestonePickedUp                        // carrier has the parcel (揽收)
	MilestoneInTransit                       // moving between sites (在途)
	MilestoneOutForDelivery                  // courier or locker (派件)
	MilestoneDelivered                       // signed for (签收); terminal
	MilestoneProblem                         // 疑难: needs a person
	MilestoneReturning                       // on its way back to the sender (退回)
	MilestoneReturned                        // signed by the sender (退签); terminal
	MilestoneRefused                         // recipient refused (拒签); terminal
	MilestoneCancelled                       // waybill cancelled (销单); terminal
	MilestoneCustoms                         // customs clearance (清关)
)

// NumMilestones is one more than the largest valid Milestone.
const NumMilestones = int(MilestoneCustoms) + 1

var milestoneNames = [NumMilestones]struct{ code, zh, en string }{
	{"unknown", "未知", "Unknown"},
	{"ordered", "已下单", "Ordered"},
	{"picked_up", "已揽收", "Picked up"},
	{"in_transit", "运输中", "In transit"},
	{"out_for_delivery", "派件中", "Out for delivery"},
	{"delivered", "已签收", "Delivered"},
	{"problem", "疑难件", "Problem"},
	{"returning", "退回中", "Returning"},
	{"returned", "已退签", "Returned"},
	{"refused", "已拒签", "Refused"},
	{"cancelled", "已销单", "Cancelled"},
	{"customs", "清关中", "Customs"},
}

// Milestones returns every valid milestone in order, MilestoneUnknown first.
func Milestones() []Milestone {
	out := make([]Milestone, NumMilestones)
	for i := range out {
		out[i] = Milestone(i)
	}
	return out
}

// Valid reports whether m is one of the defined milestones.
func (m Milestone) Valid() bool { return int(m) < NumMilestones }

// String returns the stable machine name ("in_transit") used in JSON, CSV and
// on the command line.
func (m Milestone) String() string {
	if !m.Valid() {
		return fmt.Sprintf("milestone(%d)", uint8(m))
	}
	return milestoneNames[m].code
}

// Chinese returns the name shown to clinic staff.
func (m Milestone) Chinese() string {
	if !m.Valid() {
		return "未知"
	}
	return milestoneNames[m].zh
}

// English returns the English display name.
func (m Milestone) English() string {
	if !m.Valid() {
		return "Unknown"
	}
	return milestoneNames[m].en
}

// Terminal reports whether no further tracking is expected.
func (m Milestone) Terminal() bool {
	switch m {
	case MilestoneDelivered, MilestoneReturned, MilestoneRefused, MilestoneCancelled:
		return true
	}
	return false
}

// Exceptional reports whether the milestone needs a person's attention.
func (m Milestone) Exceptional() bool {
	switch m {
	case MilestoneProblem, MilestoneReturning, MilestoneReturned, MilestoneRefused:
		return true
	}
	return false
}

// ParseMilestone accepts the machine name ("delivered"), the Chinese or the
// English display name.
func ParseMilestone(s string) (Milestone, error) {
	for i, n := range milestoneNames {
		if s == n.code || s == n.zh || s == n.en {
			return Milestone(i), nil
		}
	}
	return MilestoneUnknown, fmt.Errorf("unknown state %q (one of: ordered, picked_up, in_transit, out_for_delivery, delivered, problem, returning, returned, refused, cancelled, customs)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (m Milestone) MarshalText() ([]byte, error) {
	if !m.Valid() {
		return nil, fmt.Errorf("invalid milestone %d", uint8(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Milestone) UnmarshalText(b []byte) error {
	v, err := ParseMilestone(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Party is a sender or a recipient.
type Party struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Address  string `json:"address"`
	Province string `json:"province,omitempty"`
	City     string `json:"city,omitempty"`
	District string `json:"district,omitempty"`
	Company  string `json:"company,omitempty"`
}

// OrderStep records how far the ship workflow got for an order, so that an
// interrupted order resumes where it stopped.
type OrderStep string

// The workflow steps, in order.
const (
	StepSaved      OrderStep = "saved"      // validated and stored
	StepWaybilled  OrderStep = "waybilled"  // waybill number obtained and shipment stored
	StepQueued     OrderStep = "queued"     // label rendered and print job queued
	StepSubscribed OrderStep = "subscribed" // tracking subscription accepted
	StepDone       OrderStep = "done"       // nothing left to do
)

// Order is what the front desk typed: one parcel for one patient.
type Order struct {
	// ID is our stable order id, sent to Kuaidi100 as orderId with
	// reorder=false so a retry returns the first waybill. Set by the store
	// on first save when empty.
	ID           string    `json:"id"`
	Reference    string    `json:"reference,omitempty"` // the clinic's 配镜单号
	Recipient    Party     `json:"recipient"`
	Sender       Party     `json:"sender"`
	Carrier      string    `json:"carrier"` // Kuaidi100 company code
	Items        string    `json:"items"`
	Count        int       `json:"count"`
	Weight       float64   `json:"weight"` // kg
	PayType      string    `json:"payType,omitempty"`
	Product      string    `json:"product,omitempty"` // expType, e.g. 标准快递
	InsuredValue float64   `json:"insuredValue,omitempty"`
	COD          float64   `json:"cod,omitempty"`
	Remark       string    `json:"remark,omitempty"`
	Waybill      string    `json:"waybill,omitempty"` // set once obtained
	Step         OrderStep `json:"step"`
	LastError    string    `json:"lastError,omitempty"`
	CreatedBy    string    `json:"createdBy,omitempty"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
	// Waiting is set while the order waits for its waybill number because
	// Kuaidi100 or the network was down (待取号): where its label is to
	// print once the number arrives.
	Waiting *WaitingFor `json:"waiting,omitempty"`
}

// WaitingFor is where a waiting order's label prints: the station that
// took it and the print options the clerk had.
type WaitingFor struct {
	Station    string    `json:"station,omitempty"`
	PrinterURI string    `json:"printerUri,omitempty"`
	Size       string    `json:"size,omitempty"`
	DPI        int       `json:"dpi,omitempty"`
	Language   string    `json:"language,omitempty"`
	NoPrint    bool      `json:"noPrint,omitempty"`
	Since      time.Time `json:"since"`
	Tries      int       `json:"tries,omitempty"`
}

// Routing is the sorting data a carrier returns with a waybill.
type Routing struct {
	BigPen    string `json:"bigPen,omitempty"`    // 大头笔 / 三段码
	SortCode  string `json:"sortCode,omitempty"`  // 三段码 when given separately
	DestCode  string `json:"destCode,omitempty"`  // destination / route code
	PkgCode   string `json:"pkgCode,omitempty"`   // 集包地 code
	PkgName   string `json:"pkgName,omitempty"`   // 集包地 name
	QRContent string `json:"qrContent,omitempty"` // carrier's QR payload, if any
	// Extra holds every other routing field of the order answer by its
	// wire name (orgCode, road, proName, childInfo as JSON, ...).
	Extra map[string]string `json:"extra,omitempty"`
}

// Courier is who picks up and who delivers a parcel, as the carrier's
// trace names them (several phones comma-separated).
type Courier struct {
	PickupName    string `json:"pickupName,omitempty"`
	PickupPhone   string `json:"pickupPhone,omitempty"`
	DeliveryName  string `json:"deliveryName,omitempty"`
	DeliveryPhone string `json:"deliveryPhone,omitempty"`
}

// SubState is the state of a shipment's tracking subscription.
type SubState string

// Subscription states.
const (
	SubNone       SubState = ""           // never subscribed
	SubActive     SubState = "subscribed" // accepted by Kuaidi100
	SubFailed     SubState = "failed"     // last attempt failed; will retry
	SubAborted    SubState = "aborted"    // service gave up (no trace for days)
	SubShutdown   SubState = "shutdown"   // service finished (delivered)
	SubPollOnly   SubState = "poll_only"  // no reachable callback; polling instead
	SubOverLimits SubState = "over_limit" // monthly subscription limit reached
)

// Subscription is what we know of a shipment's push subscription.
type Subscription struct {
	State        SubState  `json:"state,omitempty"`
	CallbackURL  string    `json:"callbackUrl,omitempty"`
	Salt         string    `json:"salt,omitempty"`
	SubscribedAt time.Time `json:"subscribedAt,omitzero"`
	MonthCount   int       `json:"monthCount,omitempty"` // subscriptions this calendar month
	Month        string    `json:"month,omitempty"`      // "2026-11", the month MonthCount counts
	LastPushAt   time.Time `json:"lastPushAt,omitzero"`
	Error        string    `json:"error,omitempty"`
}

// Shipment is one waybill and everything known about its journey.
type Shipment struct {
	Waybill        string            `json:"waybill"`
	Carrier        string            `json:"carrier"`
	OrderID        string            `json:"orderId,omitempty"`
	Reference      string            `json:"reference,omitempty"`
	ChildWaybills  []string          `json:"childWaybills,omitempty"`
	Routing        Routing           `json:"routing,omitzero"`
	RecipientName  string            `json:"recipientName"`
	RecipientPhone string            `json:"recipientPhone"`
	RecipientAddr  string            `json:"recipientAddr,omitempty"`
	Milestone      Milestone         `json:"milestone"`
	RawState       string            `json:"rawState,omitempty"` // last Kuaidi100 state code, e.g. "1002"
	MilestoneAt    map[string]string `json:"milestoneAt,omitempty"`
	CreatedAt      time.Time         `json:"createdAt"`
	UpdatedAt      time.Time         `json:"updatedAt"`
	PrintedAt      time.Time         `json:"printedAt,omitzero"`
	LastEventAt    time.Time         `json:"lastEventAt,omitzero"` // time of the newest tracking event
	Subscription   Subscription      `json:"subscription,omitzero"`
	NextPollAt     time.Time         `json:"nextPollAt,omitzero"`
	PollsToday     int               `json:"pollsToday,omitempty"`
	PollDay        string            `json:"pollDay,omitempty"` // "2026-11-26" that PollsToday counts
	LastPollAt     time.Time         `json:"lastPollAt,omitzero"`
	EventCount     int               `json:"eventCount,omitempty"`
	ReprintCount   int               `json:"reprintCount,omitempty"`
	OptOutSMS      bool              `json:"optOutSms,omitempty"`
	CreatedBy      string            `json:"createdBy,omitempty"`
	// HandedOverAt is when the parcel went to the courier on a 交接单
	// (HandoverID names the sheet); zero until then.
	HandedOverAt time.Time `json:"handedOverAt,omitzero"`
	HandoverID   string    `json:"handoverId,omitempty"`
	// SenderAddr is the sender's address (query and subscribe send its
	// city as from).
	SenderAddr string `json:"senderAddr,omitempty"`
	// CarrierOrder is the carrier's order number (kdComOrderNum) returned
	// with the waybill; cancel sends it.
	CarrierOrder string  `json:"carrierOrder,omitempty"`
	Courier      Courier `json:"courier,omitzero"`
	// PayType is the pay type sent with the waybill order (SHIPPER,
	// CONSIGNEE, MONTHLY...), which may differ from the order's when the
	// carrier account does not allow the order's; the label prints it.
	// Empty for shipments stored before it was kept.
	PayType string `json:"payType,omitempty"`
}

// MilestoneTime returns when the shipment first reached m, or the zero time.
func (s *Shipment) MilestoneTime(m Milestone) time.Time {
	v, ok := s.MilestoneAt[m.String()]
	if !ok {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

// SetMilestoneTime records that the shipment first reached m at t; a time
// already recorded is kept.
func (s *Shipment) SetMilestoneTime(m Milestone, t time.Time) {
	if s.MilestoneAt == nil {
		s.MilestoneAt = map[string]string{}
	}
	if _, ok := s.MilestoneAt[m.String()]; ok {
		return
	}
	s.MilestoneAt[m.String()] = t.UTC().Format(time.RFC3339Nano)
}

// TrackingEvent is one line of a parcel's trace.
type TrackingEvent struct {
	Time      time.Time `json:"time"`
	Context   string    `json:"context"`
	Area      string    `json:"area,omitempty"`
	Location  string    `json:"location,omitempty"`
	RawState  string    `json:"rawState,omitempty"` // Kuaidi100 statusCode
	Milestone Milestone `json:"milestone"`
}

// JobState is where a print job is in the queue.
type JobState string

// Print job states.
const (
	JobQueued    JobState = "queued"
	JobSending   JobState = "sending"
	JobSent      JobState = "sent"
	JobFailed    JobState = "failed"
	JobCancelled JobState = "cancelled"
)

// PrintJob is one label sent (or to be sent) to one printer. It is stored
// before a byte is sent.
type PrintJob struct {
	ID         uint64   `json:"id"`
	Waybill    string   `json:"waybill,omitempty"`
	OrderID    string   `json:"orderId,omitempty"`
	PrinterURI string   `json:"printerUri"`
	Format     string   `json:"format"` // tspl, zpl, png
	Size       string   `json:"size,omitempty"`
	Data       []byte   `json:"data"`
	State      JobState `json:"state"`
	Attempts   int      `json:"attempts"`
	// Error is the sentence a clerk reads about a failed job, as a
	// catalogue key of package assets/i18n (English; shown translated);
	// ErrorDetail is the technical cause, for the log and the technician.
	Error       string    `json:"error,omitempty"`
	ErrorDetail string    `json:"errorDetail,omitempty"`
	Who         string    `json:"who,omitempty"`
	Reprint     bool      `json:"reprint,omitempty"`
	Reason      string    `json:"reason,omitempty"` // why it was reprinted
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// SMSState is where a message is.
type SMSState string

// SMS states. An SMS is recorded as SMSIntent before the provider is called,
// so a crash in between is reconciled rather than sent twice.
const (
	SMSIntent    SMSState = "intent"    // decided, provider not yet called
	SMSHeld      SMSState = "held"      // waiting for quiet hours to end
	SMSSent      SMSState = "sent"      // provider accepted it
	SMSDelivered SMSState = "delivered" // delivery receipt says delivered
	SMSFailed    SMSState = "failed"    // provider refused or receipt says failed
	SMSSkipped   SMSState = "skipped"   // opt-out, cap reached or rule disabled
)

// SMSMessage is one notification to one patient.
type SMSMessage struct {
	ID         uint64            `json:"id"`
	Waybill    string            `json:"waybill"`
	Milestone  Milestone         `json:"milestone"`
	TemplateID string            `json:"templateId"`
	Phone      string            `json:"phone"`
	Vars       map[string]string `json:"vars,omitempty"`
	Content    string            `json:"content,omitempty"` // the text as sent, for the log
	State      SMSState          `json:"state"`
	OutOrder   string            `json:"outOrder"` // our id sent to the provider
	Reply      string            `json:"reply,omitempty"`
	Segments   int               `json:"segments"`
	CostFen    int               `json:"costFen"` // cost in fen (0.01 yuan)
	CreatedAt  time.Time         `json:"createdAt"`
	SendAfter  time.Time         `json:"sendAfter,omitzero"`
	SentAt     time.Time         `json:"sentAt,omitzero"`
	UpdatedAt  time.Time         `json:"updatedAt"`
}

// AuditEntry records one sensitive action.
type AuditEntry struct {
	ID     uint64    `json:"id"`
	Time   time.Time `json:"time"`
	Who    string    `json:"who"`
	Action string    `json:"action"` // e.g. "reprint", "cancel", "settings", "export"
	Target string    `json:"target,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// ExceptionKind names why a shipment needs attention.
type ExceptionKind string

// Exception kinds raised by the tracking worker and the SMS sender.
const (
	ExcNotPickedUp  ExceptionKind = "not_picked_up"
	ExcNoUpdate     ExceptionKind = "no_update"
	ExcLate         ExceptionKind = "late"
	ExcProblem      ExceptionKind = "problem"
	ExcRefused      ExceptionKind = "refused"
	ExcReturned     ExceptionKind = "returned"
	ExcSMSCap       ExceptionKind = "sms_cap"
	ExcSubscription ExceptionKind = "subscription"
	// ExcNotHandedOver: printed today but not on a 交接单 by the
	// manager's handover time.
	ExcNotHandedOver ExceptionKind = "not_handed_over"
	// ExcNoWaybill: an order has waited for its waybill number (Kuaidi100
	// or the network down) longer than the manager allows; Waybill holds
	// the order id.
	ExcNoWaybill ExceptionKind = "no_waybill"
)

// Exception is an entry on the manager's list to work through. At most one
// open exception exists per (waybill, kind).
type Exception struct {
	ID         uint64        `json:"id"`
	Waybill    string        `json:"waybill,omitempty"`
	Kind       ExceptionKind `json:"kind"`
	Detail     string        `json:"detail"`
	RaisedAt   time.Time     `json:"raisedAt"`
	ResolvedAt time.Time     `json:"resolvedAt,omitzero"`
	ResolvedBy string        `json:"resolvedBy,omitempty"`
}

// Open reports whether nobody has resolved the exception yet.
func (e *Exception) Open() bool { return e.ResolvedAt.IsZero() }
