package shipping

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"shipdesk/store"
)

const chineseCSV = "收件人,电话,地址,物品,备注,配镜单号,快递\r\n" +
	"王芳,13700001111,天津市河西区友谊路32号,眼镜 1副,易碎,PJ-001,中通快递\r\n" +
	"李四,022-23346655,天津市南开区复康路4号,隐形眼镜,,PJ-002,yuantong\r\n" +
	",13700002222,天津市和平区南京路219号,,,PJ-003,\r\n" +
	"赵六,12345,天津,,,PJ-004,顺丰\r\n" +
	"\r\n" +
	"钱七,139 1234 5678,\"北京市朝阳区建国路88号, SOHO现代城A座\",眼镜,\"说\"\"明\"\"\",PJ-005,不存在快递\r\n" +
	"孙八,13912345678,上海市浦东新区世纪大道100号,,,PJ-006,\r\n"

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseOrdersCSV(t *testing.T) {
	st := store.DefaultSettings()
	st.DefaultCarrier = "zhongtong"
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(chineseCSV))
	for _, enc := range []struct {
		name string
		b    []byte
	}{
		{"utf8", []byte(chineseCSV)},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, chineseCSV...)},
		{"gbk", gbk(t, chineseCSV)},
		{"utf16", utf16},
		{"tabs", []byte(strings.NewReplacer(",", "\t", "\"北京市朝阳区建国路88号\t SOHO现代城A座\"", "北京市朝阳区建国路88号 SOHO现代城A座").Replace(chineseCSV))},
	} {
		t.Run(enc.name, func(t *testing.T) {
			orders, rowErrs, err := parseOrdersCSV(bytes.NewReader(enc.b), st)
			if err != nil {
				t.Fatal(err)
			}
			var refs []string
			for _, o := range orders {
				refs = append(refs, o.Reference)
			}
			if got := strings.Join(refs, ","); got != "PJ-001,PJ-002,PJ-006" {
				t.Errorf("imported %s", got)
			}
			byRow := map[int][]string{}
			for _, re := range rowErrs {
				byRow[re.Row] = append(byRow[re.Row], re.Field)
			}
			want := map[int][]string{
				4: {FieldRecipientName},
				5: {FieldRecipientPhone, FieldRecipientAddress},
				7: {FieldCarrier},
			}
			if enc.name == "tabs" {
				want[7] = []string{FieldCarrier}
			}
			if fmt.Sprint(byRow) != fmt.Sprint(want) {
				t.Errorf("row errors %v, want %v (%+v)", byRow, want, rowErrs)
			}
			if len(orders) < 2 {
				return
			}
			o := orders[0]
			if o.Recipient.Name != "王芳" || o.Recipient.Phone != "13700001111" || o.Carrier != "zhongtong" ||
				o.Items != "眼镜 1副" || o.Remark != "易碎" || o.Sender.Name == "" || o.Count != 1 || o.Weight != 0.5 {
				t.Errorf("order 1: %+v", o)
			}
			if o.Recipient.Province != "天津市" || o.Recipient.District != "河西区" {
				t.Errorf("region %+v", o.Recipient)
			}
			if orders[1].Carrier != "yuantong" || orders[1].Recipient.Phone != "022-23346655" || orders[1].Items != "隐形眼镜" {
				t.Errorf("order 2: %+v", orders[1])
			}
			if orders[2].Carrier != "zhongtong" || orders[2].Items != "眼镜" {
				t.Errorf("defaults not applied: %+v", orders[2])
			}
		})
	}
}

func TestParseOrdersCSVEnglishAndRegionColumns(t *testing.T) {
	in := "Name,Phone,Province,City,District,Address,Carrier,Weight,Count\n" +
		"Li Lei,13800138000,浙江省,杭州市,西湖区,文三路100号,zhongtong,1.2kg,2\n" +
		"Han Meimei,13800138001,浙江省,杭州市,西湖区,浙江省杭州市西湖区文三路101号,zhongtong,abc,0\n"
	orders, rowErrs, err := parseOrdersCSV(strings.NewReader(in), store.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].Recipient.Address != "浙江省杭州市西湖区文三路100号" || orders[0].Weight != 1.2 || orders[0].Count != 2 {
		t.Fatalf("orders %+v", orders)
	}
	if len(rowErrs) != 2 || rowErrs[0].Row != 3 || rowErrs[0].Field != FieldCount || rowErrs[1].Field != FieldWeight && rowErrs[1].Field != FieldCount {
		t.Errorf("row errors %+v", rowErrs)
	}
}

func TestParseOrdersCSVPasteColumn(t *testing.T) {
	in := "收件信息,配镜单号\n\"张三 138 1234 5678 天津市和平区南京路219号\",PJ-9\n"
	st := store.DefaultSettings()
	st.DefaultCarrier = "yunda"
	orders, rowErrs, err := parseOrdersCSV(strings.NewReader(in), st)
	if err != nil || len(rowErrs) != 0 || len(orders) != 1 {
		t.Fatalf("%v %v %v", orders, rowErrs, err)
	}
	if p := orders[0].Recipient; p.Name != "张三" || p.Phone != "13812345678" || p.Address != "天津市和平区南京路219号" {
		t.Errorf("recipient %+v", p)
	}
}

func TestParseOrdersCSVRejectsFiles(t *testing.T) {
	for _, in := range []string{"", "a,b,c\n1,2,3\n", "姓名,备注\n王芳,x\n"} {
		_, _, err := parseOrdersCSV(strings.NewReader(in), store.DefaultSettings())
		if !errors.Is(err, ErrImport) {
			t.Errorf("%q: %v", in, err)
		}
	}
	big := "收件人,电话,地址\n" + strings.Repeat("王芳,13700001111,天津市河西区友谊路32号\n", MaxImportRows+1)
	if _, _, err := parseOrdersCSV(strings.NewReader(big), store.DefaultSettings()); !errors.Is(err, ErrImport) {
		t.Errorf("too many rows: %v", err)
	}
}

func FuzzParseOrdersCSV(f *testing.F) {
	f.Add([]byte(chineseCSV))
	f.Add(gbkBytes(chineseCSV))
	f.Add([]byte("收件人,电话,地址\n\"王芳,13700001111\n"))
	f.Add([]byte("name\tphone\taddress\nA\t1\tB\n"))
	st := store.DefaultSettings()
	st.DefaultCarrier = "zhongtong"
	f.Fuzz(func(t *testing.T, b []byte) {
		orders, rowErrs, err := parseOrdersCSV(bytes.NewReader(b), st)
		if err != nil {
			if !errors.Is(err, ErrImport) {
				t.Fatalf("error not wrapping ErrImport: %v", err)
			}
			return
		}
		for _, o := range orders {
			if errs := checkOrder(o, knownCarrier); len(errs) != 0 {
				t.Fatalf("imported an invalid order %+v: %v", o, errs)
			}
		}
		for _, re := range rowErrs {
			if re.Row < 2 || re.Message == "" {
				t.Fatalf("bad row error %+v", re)
			}
		}
	})
}

func gbkBytes(s string) []byte {
	b, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	return b
}

func TestCheckOrder(t *testing.T) {
	ok := testOrder(1)
	cases := []struct {
		name   string
		mod    func(*store.Order)
		fields []string
	}{
		{"valid", func(o *store.Order) {}, nil},
		{"landline recipient", func(o *store.Order) { o.Recipient.Phone = "(022) 2334-6655 转 12" }, nil},
		{"no name", func(o *store.Order) { o.Recipient.Name = " " }, []string{FieldRecipientName}},
		{"mobile 12x", func(o *store.Order) { o.Recipient.Phone = "12812345678" }, []string{FieldRecipientPhone}},
		{"short mobile", func(o *store.Order) { o.Recipient.Phone = "1381234567" }, []string{FieldRecipientPhone}},
		{"landline without area code", func(o *store.Order) { o.Recipient.Phone = "23346655" }, []string{FieldRecipientPhone}},
		{"short address", func(o *store.Order) { o.Recipient.Address = "天津市和平区" }, []string{FieldRecipientAddress}},
		{"address without any place word", func(o *store.Order) { o.Recipient.Address = "我家楼下那个小卖部旁边" }, nil},
		{"address of digits", func(o *store.Order) { o.Recipient.Address = "1234567890" }, []string{FieldRecipientAddress}},
		{"unknown carrier", func(o *store.Order) { o.Carrier = "nosuch" }, []string{FieldCarrier}},
		{"no carrier", func(o *store.Order) { o.Carrier = "" }, []string{FieldCarrier}},
		{"no sender", func(o *store.Order) { o.Sender = store.Party{} }, []string{FieldSenderName, FieldSenderPhone, FieldSenderAddress}},
		{"sender local landline", func(o *store.Order) { o.Sender.Phone = "23346655" }, nil},
		{"control character", func(o *store.Order) { o.Recipient.Name = "王\x07芳" }, []string{FieldRecipientName}},
		// What the label font cannot draw prints as a box, with a warning: no error.
		{"undrawable character", func(o *store.Order) { o.Recipient.Name = "王芳\U0001F600" }, nil},
		{"weight", func(o *store.Order) { o.Weight = 500 }, []string{FieldWeight}},
	}
	for _, c := range cases {
		o := ok
		c.mod(&o)
		var got []string
		for _, fe := range checkOrder(normalizeOrder(o), knownCarrier) {
			got = append(got, fe.Field)
			if !hasHan(fe.Message) {
				t.Errorf("%s: message not for a clerk: %q", c.name, fe.Message)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.fields) {
			t.Errorf("%s: fields %v, want %v", c.name, got, c.fields)
		}
	}
}

func TestRoles(t *testing.T) {
	for _, c := range []struct {
		role store.Role
		can  []Action
		not  []Action
	}{
		{store.RoleFrontDesk, []Action{ActShip, ActSearch, ActCancel}, []Action{ActReprint, ActSettings, ActExport, ActBackup, ActStats}},
		{store.RoleWarehouse, []Action{ActReprint, ActSearch}, []Action{ActShip, ActCancel, ActSettings, ActExport}},
		{store.RoleManager, []Action{ActShip, ActReprint, ActCancel, ActSettings, ActExport, ActBackup, ActStats, ActResendSMS}, nil},
		{"intruder", nil, []Action{ActShip, ActSearch}},
	} {
		for _, a := range c.can {
			if !Allowed(c.role, a) {
				t.Errorf("%s may not %s", c.role, a)
			}
		}
		for _, a := range c.not {
			if Allowed(c.role, a) {
				t.Errorf("%s may %s", c.role, a)
			}
		}
	}
	if canSeePhone(store.RoleFrontDesk) || canSeePhone(store.RoleWarehouse) || !canSeePhone(store.RoleManager) {
		t.Error("phone visibility")
	}
}

// hasHan reports whether s holds a Chinese character (a sentence for the
// Chinese UI).
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }) >= 0
}
