package sms

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSegments(t *testing.T) {
	tests := []struct {
		n    int
		want int
	}{
		{0, 0}, {1, 1}, {70, 1}, {71, 2}, {134, 2}, {135, 3}, {201, 3}, {202, 4},
	}
	for _, tt := range tests {
		text := strings.Repeat("眼", tt.n)
		if got := Segments(text); got != tt.want {
			t.Errorf("Segments(%d chars) = %d, want %d", tt.n, got, tt.want)
		}
	}
	// ASCII counts the same as Chinese: the message is UCS-2 as a whole.
	if got := Segments(strings.Repeat("a", 71)); got != 2 {
		t.Errorf("Segments(71 ascii) = %d, want 2", got)
	}
}

func TestRender(t *testing.T) {
	vars := map[string]string{"name": "王芳", "waybill": "YT123", "code": "", "carrier": "圆通速递"}
	tests := []struct{ tpl, want string }{
		{"{name}您好，{carrier}运单号{waybill}", "王芳您好，圆通速递运单号YT123"},
		{"已签收{code}。", "已签收。"},
		{"{unknown}保留", "{unknown}保留"},
		{"{{name}}", "{王芳}"},
		{"没有占位符", "没有占位符"},
		{"未闭合{name", "未闭合{name"},
		{"}{name}{", "}王芳{"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Render(tt.tpl, vars); got != tt.want {
			t.Errorf("Render(%q) = %q, want %q", tt.tpl, got, tt.want)
		}
	}
	// A value is inserted literally, never expanded again.
	if got := Render("{name}", map[string]string{"name": "{waybill}", "waybill": "X"}); got != "{waybill}" {
		t.Errorf("Render expanded a value: %q", got)
	}
}

func TestPickupCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"【天津市】您的快件已放入丰巢快递柜，凭取件码【123456】取件", "123456"},
		{"快件已送达菜鸟驿站，请凭取货码 8-2-3011 及时取件", "8-2-3011"},
		{"已签收，签收人凭取件码：A1234签收", "A1234"},
		{"您的包裹已到提货码为56789的驿站", "56789"},
		{"取件码是 7788，地址：友谊路32号", "7788"},
		{"派件员正在派件，电话13700001111", ""},
		{"取件码请查看短信", ""},
		{"取件码：ABCD", ""},
		{"取件码 1", ""},
		{"取件码 12345678901234567890", ""},
		{"取件码为空，提货码 3344", "3344"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := PickupCode(tt.in); got != tt.want {
			t.Errorf("PickupCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzPickupCode(f *testing.F) {
	f.Add("凭取件码【123456】取件")
	f.Add("请凭取货码 8-2-3011 及时取件")
	f.Add("取件码取件码取件码1")
	f.Add("提货码\xff12")
	f.Fuzz(func(t *testing.T, s string) {
		c := PickupCode(s)
		if c == "" {
			return
		}
		if !strings.Contains(s, c) {
			t.Fatalf("code %q not in %q", c, s)
		}
		if len(c) < 2 || len(c) > maxPickupCode || strings.Trim(c, "-") != c || !strings.ContainsAny(c, "0123456789") {
			t.Fatalf("bad code %q from %q", c, s)
		}
		for _, r := range c {
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
				t.Fatalf("code %q has %q", c, r)
			}
		}
	})
}

func FuzzRender(f *testing.F) {
	f.Add("{name}您好，运单号{waybill}{code}", "王芳")
	f.Add("{{}}{", "{name}")
	f.Add("}{", "")
	f.Fuzz(func(t *testing.T, tpl, name string) {
		// With no variables the template comes back unchanged.
		if got := Render(tpl, nil); got != tpl {
			t.Fatalf("Render(%q, nil) = %q", tpl, got)
		}
		// Every {name} is replaced, left to right, and nothing else changes.
		got := Render(tpl, map[string]string{"name": name})
		if want := strings.ReplaceAll(tpl, "{name}", name); got != want {
			t.Fatalf("Render(%q, name=%q) = %q, want %q", tpl, name, got, want)
		}
		if utf8.ValidString(tpl) && utf8.ValidString(name) && !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from valid input")
		}
	})
}

func TestQuietHours(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, sh) }
	q, err := parseQuiet("21:00", "08:00")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now     time.Time
		quiet   bool
		nextEnd time.Time
	}{
		{at(26, 20, 59), false, at(27, 8, 0)},
		{at(26, 21, 0), true, at(27, 8, 0)},
		{at(26, 23, 59), true, at(27, 8, 0)},
		{at(27, 0, 0), true, at(27, 8, 0)},
		{at(27, 7, 59), true, at(27, 8, 0)},
		{at(27, 8, 0), false, at(27, 8, 0)},
		{at(27, 12, 0), false, at(28, 8, 0)},
	}
	for _, tt := range tests {
		if got := q.contains(tt.now); got != tt.quiet {
			t.Errorf("contains(%s) = %v", tt.now, got)
		}
		if got := q.nextEnd(tt.now); !got.Equal(tt.nextEnd) {
			t.Errorf("nextEnd(%s) = %s, want %s", tt.now, got, tt.nextEnd)
		}
	}
	day, _ := parseQuiet("12:00", "13:30")
	if !day.contains(at(26, 13, 29)) || day.contains(at(26, 13, 30)) || day.contains(at(26, 11, 59)) {
		t.Error("non-wrapping window wrong")
	}
	if none, err := parseQuiet("", ""); err != nil || none.contains(at(26, 23, 0)) {
		t.Errorf("empty quiet hours = %v, %v", none, err)
	}
	if bad, err := parseQuiet("9pm", "08:00"); err == nil || bad != defaultQuiet {
		t.Errorf("bad quiet hours = %v, %v; want default and an error", bad, err)
	}
}
