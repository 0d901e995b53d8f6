package store

// Settings are the station's non-secret settings, stored in the database.
// Secrets (Kuaidi100 credentials) live in a separate owner-only file; see
// Secrets.
type Settings struct {
	// Mode is "sandbox" (demo: in-process sandbox and virtual printer) or
	// "production". Empty means sandbox until credentials are configured.
	Mode string `json:"mode"`
	// APIBase, when set, sends every Kuaidi100 call to one base URL.
	APIBase string `json:"apiBase,omitempty"`
	// Language is "zh" (default) or "en".
	Language string `json:"language,omitempty"`

	Senders         []Party `json:"senders"`        // sender presets; the first is the default
	DefaultCarrier  string  `json:"defaultCarrier"` // company code; empty: guess
	DefaultItems    string  `json:"defaultItems"`   // e.g. 眼镜
	DefaultPayType  string  `json:"defaultPayType"` // SHIPPER, CONSIGNEE, MONTHLY
	DefaultProduct  string  `json:"defaultProduct"` // expType, e.g. 标准快递
	DefaultWeightKg float64 `json:"defaultWeightKg"`

	Label    LabelSettings    `json:"label"`
	Printers []PrinterProfile `json:"printers"`
	Tracking TrackingSettings `json:"tracking"`
	SMS      SMSSettings      `json:"sms"`
	Rules    ExceptionRules   `json:"rules"`
	Users    []User           `json:"users"`
	Prices   Prices           `json:"prices"`
	// PromisedDays is the delivery promise used for the on-time rate.
	PromisedDays int `json:"promisedDays"`
	// Counter holds the rules of the counter's day (retention, handover
	// time, waiting orders, waybill prices); see CounterSettings.
	Counter CounterSettings `json:"counter,omitzero"`
	// Window remembers the main window size.
	WindowWidth  float32 `json:"windowWidth,omitempty"`
	WindowHeight float32 `json:"windowHeight,omitempty"`
}

// LabelSettings choose the default label.
type LabelSettings struct {
	Size       string `json:"size"` // 76x130, 100x150, 100x180
	DPI        int    `json:"dpi"`  // 203 or 300
	Format     string `json:"format"`
	MaskPhones bool   `json:"maskPhones"` // 隐私面单
	// FullNames and FullAddresses turn off the other 隐私面单 masks: names
	// print as 王*芳 and addresses stop after the district unless set.
	FullNames     bool `json:"fullNames,omitempty"`
	FullAddresses bool `json:"fullAddresses,omitempty"`
}

// PrinterProfile is a configured printer and how to drive it.
type PrinterProfile struct {
	Name      string   `json:"name"`
	URI       string   `json:"uri"`
	Language  string   `json:"language"`            // tspl or zpl
	Sizes     []string `json:"sizes,omitempty"`     // label sizes it is the default for
	Speed     int      `json:"speed,omitempty"`     // inches per second
	Darkness  int      `json:"darkness,omitempty"`  // TSPL DENSITY 0-15, ZPL ~SD 0-30
	Media     string   `json:"media,omitempty"`     // gap, bline, continuous
	Mode      string   `json:"mode,omitempty"`      // tear, peel, cut
	Direction int      `json:"direction,omitempty"` // 0 or 1
	OffsetXmm float64  `json:"offsetXmm,omitempty"`
	OffsetYmm float64  `json:"offsetYmm,omitempty"`
}

// TrackingSettings configure push and polling.
type TrackingSettings struct {
	PushListen string `json:"pushListen,omitempty"` // e.g. 0.0.0.0:8090
	PushURL    string `json:"pushUrl,omitempty"`    // what Kuaidi100 calls
	// RelayURL is the push relay the station takes its pushes from
	// (`daemon --relay`); its token is kept in the data folder's
	// relay-secret.json. Empty: no relay.
	RelayURL string `json:"relayUrl,omitempty"`
	// WindowQueries (0-3) are real-time queries of a pushed parcel in its
	// likely delivery window, so the 派件 SMS reaches the patient before the
	// parcel more often (tracking.Policy.WindowQueries); read at start.
	WindowQueries int  `json:"windowQueries,omitempty"`
	PollOnly      bool `json:"pollOnly,omitempty"`
	// QueriesPerSecond is the global query rate the station allows itself.
	QueriesPerSecond float64 `json:"queriesPerSecond,omitempty"`
}

// SMSSettings choose which milestones notify the patient.
type SMSSettings struct {
	Enabled     bool           `json:"enabled"`
	Milestones  []SMSMilestone `json:"milestones"`
	QuietStart  string         `json:"quietStart"`       // "21:00"
	QuietEnd    string         `json:"quietEnd"`         // "08:00"
	DailyCap    int            `json:"dailyCap"`         // messages per day; 0 = no cap
	DailyCapFen int            `json:"dailyCapFen"`      // money per day in fen; 0 = no cap
	OptOut      []string       `json:"optOut,omitempty"` // phones that opted out
}

// SMSMilestone is one notification rule.
type SMSMilestone struct {
	Milestone  Milestone `json:"milestone"`
	Enabled    bool      `json:"enabled"`
	TemplateID string    `json:"templateId"`
	// Text is the template body with {name} {carrier} {waybill} {code}
	// placeholders, used for the preview, the log and the segment count.
	Text string `json:"text"`
}

// ExceptionRules are the manager's thresholds.
type ExceptionRules struct {
	NotPickedUpHours int `json:"notPickedUpHours"`
	NoUpdateHours    int `json:"noUpdateHours"`
	LateDays         int `json:"lateDays"`
}

// Role decides what a user may see and do.
type Role string

// Roles.
const (
	RoleFrontDesk Role = "front_desk"
	RoleWarehouse Role = "warehouse"
	RoleManager   Role = "manager"
)

// User is a person at the desk.
type User struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// PINHash is hex SHA-256 of salt+PIN; empty means no PIN.
	PINHash string `json:"pinHash,omitempty"`
	PINSalt string `json:"pinSalt,omitempty"`
}

// Prices quoted to the clinic, in fen.
type Prices struct {
	SMSSegmentFen    int `json:"smsSegmentFen"`    // 4 = 0.04 yuan per 70-character segment
	TrackingMonthFen int `json:"trackingMonthFen"` // 10 = 0.1 yuan per waybill per month
}

// DefaultSettings returns the settings of a new station.
func DefaultSettings() Settings {
	return Settings{
		Mode:            "sandbox",
		Language:        "zh",
		Senders:         []Party{{Name: "天津眼科医院视光中心", Phone: "022-23346655", Address: "天津市南开区复康路4号", Province: "天津市", City: "天津市", District: "南开区"}},
		DefaultItems:    "眼镜",
		DefaultPayType:  "MONTHLY",
		DefaultProduct:  "标准快递",
		DefaultWeightKg: 0.5,
		Label:           LabelSettings{Size: "76x130", DPI: 203, Format: "tspl", MaskPhones: true},
		Tracking:        TrackingSettings{QueriesPerSecond: 1},
		SMS: SMSSettings{
			QuietStart: "21:00",
			QuietEnd:   "08:00",
			DailyCap:   500,
			Milestones: []SMSMilestone{
				{Milestone: MilestonePickedUp, Enabled: true, TemplateID: "1001", Text: "【视光中心】{name}您好，您的眼镜已由{carrier}寄出，运单号{waybill}。"},
				{Milestone: MilestoneOutForDelivery, Enabled: true, TemplateID: "1002", Text: "【视光中心】{name}您好，您的眼镜正在派送中，运单号{waybill}，请保持电话畅通。"},
				{Milestone: MilestoneDelivered, Enabled: false, TemplateID: "1003", Text: "【视光中心】{name}您好，您的眼镜已签收{code}。如有问题请致电022-23346655。"},
				{Milestone: MilestoneProblem, Enabled: true, TemplateID: "1004", Text: "【视光中心】{name}您好，您的快递{waybill}派送遇到问题，我们正在处理，请留意来电。"},
			},
		},
		Rules:        ExceptionRules{NotPickedUpHours: 24, NoUpdateHours: 48, LateDays: 5},
		Users:        []User{{Name: "前台", Role: RoleFrontDesk}, {Name: "仓库", Role: RoleWarehouse}, {Name: "主管", Role: RoleManager}},
		Prices:       Prices{SMSSegmentFen: 4, TrackingMonthFen: 10},
		PromisedDays: 3,
	}
}

// Secrets are the Kuaidi100 credentials, kept in an owner-only (0600) file
// beside the database and never logged. String masks them.
type Secrets struct {
	Key       string `json:"key"`
	Customer  string `json:"customer"`
	Secret    string `json:"secret"`
	UserID    string `json:"userid"`
	SMSSeller string `json:"smsSeller"`
	// DBPassword is the password of the shared PostgreSQL store, kept out
	// of the connection string the station remembers and logs.
	DBPassword string `json:"dbPassword,omitempty"`
}

// OrderDefaults fills what an order left empty (sender, carrier, items,
// count, weight, payment, product) from the settings, as the order form does.
func (s Settings) OrderDefaults(o Order) Order {
	if o.Sender.Name == "" && o.Sender.Address == "" && len(s.Senders) > 0 {
		o.Sender = s.Senders[0]
	}
	if o.Carrier == "" {
		o.Carrier = s.DefaultCarrier
	}
	if o.Items == "" {
		o.Items = s.DefaultItems
	}
	if o.Count <= 0 {
		o.Count = 1
	}
	if o.Weight <= 0 {
		o.Weight = s.DefaultWeightKg
	}
	if o.PayType == "" {
		o.PayType = s.DefaultPayType
	}
	if o.Product == "" {
		o.Product = s.DefaultProduct
	}
	return o
}
