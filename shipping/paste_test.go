package shipping

import (
	"strings"
	"testing"
	"unicode/utf8"
)

const tjAddr = "天津市和平区南京路219号"

var pasteCases = []struct {
	name, in             string
	want                 Pasted
	prov, city, district string
}{
	{"spaces, grouped mobile", "张三 138 1234 5678 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"labels with full-width colon and comma", "收件人：李四，电话：13912345678，地址：天津市和平区南京路219号",
		Pasted{Name: "李四", Phone: "13912345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"labels with ascii colon", "收件人:李四 电话:13912345678 地址:天津市和平区南京路219号",
		Pasted{Name: "李四", Phone: "13912345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"labels on lines", "收货人：王五\n手机号码：139-1234-5678\n所在地区：天津市 和平区\n详细地址：南京路219号",
		Pasted{Name: "王五", Phone: "13912345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"labels out of order", "地址：天津市和平区南京路219号，电话：13912345678，姓名：赵六",
		Pasted{Name: "赵六", Phone: "13912345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"commas", "张三，13812345678，天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"address first", "天津市和平区南京路219号，张三，13812345678",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"phone first", "13812345678 张三 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"all glued", "张三13812345678天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"name glued after address", "天津市和平区南京路219号张三 13812345678",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"name glued before address", "张三天津市和平区南京路219号 13812345678",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"dashes in mobile", "张三 138-1234-5678 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"+86 prefix", "张三 +86 138 1234 5678 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"86- prefix taobao", "张三，86-13812345678，天津市 天津市 和平区 南京路219号 ，300000",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"full-width digits", "张三 １３８１２３４５６７８ 天津市和平区南京路２１９号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"ideographic spaces", "张三　13812345678　天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"tabs from a spreadsheet", "张三\t13812345678\t天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"semicolons", "张三;13812345678;天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"newlines", "张三\n13812345678\n天津市和平区南京路219号\n",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"CRLF", "张三\r\n13812345678\r\n天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"landline with dash", "张三 022-23346655 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "022-23346655", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"landline in brackets", "张三 (022)23346655 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "022-23346655", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"landline full-width brackets", "张三（022）2334 6655 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "022-23346655", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"landline with 转 extension", "张三 022-23346655转801 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "022-23346655-801", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"landline with dash extension", "张三 022-23346655-801 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "022-23346655-801", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"landline with ext", "张三 0571-8888 6666 ext 12 杭州市西湖区文三路100号",
		Pasted{Name: "张三", Phone: "0571-88886666-12", Address: "杭州市西湖区文三路100号"}, "浙江省", "杭州市", "西湖区"},
	{"four-digit area code", "李四 0315-2345678 河北省唐山市路北区建设路5号",
		Pasted{Name: "李四", Phone: "0315-2345678", Address: "河北省唐山市路北区建设路5号"}, "河北省", "唐山市", "路北区"},
	{"mobile with virtual extension", "王五 13812345678-1234 天津市和平区南京路219号",
		Pasted{Name: "王五", Phone: "13812345678-1234", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"mobile 转 extension", "王五 13812345678转1234 天津市和平区南京路219号",
		Pasted{Name: "王五", Phone: "13812345678-1234", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"province city district", "刘七 15900001111 广东省深圳市南山区科技园南区深南大道10000号",
		Pasted{Name: "刘七", Phone: "15900001111", Address: "广东省深圳市南山区科技园南区深南大道10000号"}, "广东省", "深圳市", "南山区"},
	{"short province no 市", "刘七 15900001111 广东深圳南山区深南大道10000号",
		Pasted{Name: "刘七", Phone: "15900001111", Address: "广东深圳南山区深南大道10000号"}, "广东省", "深圳市", "南山区"},
	{"city without province", "陈八 18611112222 杭州市西湖区文三路100号",
		Pasted{Name: "陈八", Phone: "18611112222", Address: "杭州市西湖区文三路100号"}, "浙江省", "杭州市", "西湖区"},
	{"spaced region parts", "陈八 18611112222 浙江省 杭州市 西湖区 文三路100号 5幢302室",
		Pasted{Name: "陈八", Phone: "18611112222", Address: "浙江省杭州市西湖区文三路100号5幢302室"}, "浙江省", "杭州市", "西湖区"},
	{"autonomous region", "马九 13312345678 新疆维吾尔自治区乌鲁木齐市天山区解放南路1号",
		Pasted{Name: "马九", Phone: "13312345678", Address: "新疆维吾尔自治区乌鲁木齐市天山区解放南路1号"}, "新疆维吾尔自治区", "乌鲁木齐市", "天山区"},
	{"county", "周十 17712345678 河北省保定市涞水县城关镇1号",
		Pasted{Name: "周十", Phone: "17712345678", Address: "河北省保定市涞水县城关镇1号"}, "河北省", "保定市", "涞水县"},
	{"beijing", "孙一 13800138000 北京市朝阳区建国路88号SOHO现代城A座1001",
		Pasted{Name: "孙一", Phone: "13800138000", Address: "北京市朝阳区建国路88号SOHO现代城A座1001"}, "北京市", "北京市", "朝阳区"},
	{"title 先生", "张先生 13812345678 天津市和平区南京路219号",
		Pasted{Name: "张先生", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"compound surname", "欧阳娜娜 13812345678 天津市和平区南京路219号",
		Pasted{Name: "欧阳娜娜", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"minority name with dot", "阿依·买买提 13812345678 天津市和平区南京路219号",
		Pasted{Name: "阿依·买买提", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"english labels", "Name: 张三 Phone: 13812345678 Address: 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"postcode dropped", "张三 13812345678 天津市和平区南京路219号 300041",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"trailing 收", "张三 收 13812345678 天津市和平区南京路219号",
		Pasted{Name: "张三", Phone: "13812345678", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"jd style labels", "收货人：钱二\n联系电话：186 0000 1111\n收货地址：上海市浦东新区世纪大道100号",
		Pasted{Name: "钱二", Phone: "18600001111", Address: "上海市浦东新区世纪大道100号"}, "上海市", "上海市", "浦东新区"},
	{"name label then freeform", "联系人：吴三 13512345678 重庆市渝中区解放碑1号",
		Pasted{Name: "吴三", Phone: "13512345678", Address: "重庆市渝中区解放碑1号"}, "重庆市", "重庆市", "渝中区"},
	{"masked phone ignored", "张三 138****5678 天津市和平区南京路219号",
		Pasted{Name: "张三", Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"house number digits not a phone", "张三 天津市和平区南京路2190000号 13812345678",
		Pasted{Name: "张三", Phone: "13812345678", Address: "天津市和平区南京路2190000号"}, "天津市", "天津市", "和平区"},
	{"only address", "天津市和平区南京路219号",
		Pasted{Address: tjAddr}, "天津市", "天津市", "和平区"},
	{"only phone", "  13812345678  ", Pasted{Phone: "13812345678"}, "", "", ""},
	{"empty", "", Pasted{}, "", "", ""},
	{"english word containing a label", "Tom Lee 13812345678 北京市朝阳区建国路88号Hilton Hotel 3楼",
		Pasted{Name: "Tom Lee", Phone: "13812345678", Address: "北京市朝阳区建国路88号Hilton Hotel 3楼"}, "北京市", "北京市", "朝阳区"},
	{"label word inside address", "张三 13812345678 内蒙古自治区包头市青山区 某某地区 幸福路1号",
		Pasted{Name: "张三", Phone: "13812345678", Address: "内蒙古自治区包头市青山区某某地区幸福路1号"}, "内蒙古自治区", "包头市", "青山区"},
	{"unknown region", "张三 13812345678 某某小区3号楼2单元",
		Pasted{Name: "张三", Phone: "13812345678", Address: "某某小区3号楼2单元"}, "", "", ""},
}

func TestParsePaste(t *testing.T) {
	if len(pasteCases) < 40 {
		t.Fatalf("only %d cases; the issue asks for at least 40", len(pasteCases))
	}
	for _, c := range pasteCases {
		t.Run(c.name, func(t *testing.T) {
			got := ParsePaste(c.in)
			want := c.want
			want.Province, want.City, want.District = c.prov, c.city, c.district
			if got != want {
				t.Errorf("ParsePaste(%q)\n got %+v\nwant %+v", c.in, got, want)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	cases := []struct{ in, want string }{
		{"13812345678", "13812345678"},
		{"138 1234 5678", "13812345678"},
		{"+86 138-1234-5678", "13812345678"},
		{"0086 13812345678", "13812345678"},
		{"022-23346655", "022-23346655"},
		{"(022) 2334 6655", "022-23346655"},
		{"02223346655", "022-23346655"},
		{"0315 2345678", "0315-2345678"},
		{"010-12345678 转 8", "010-12345678-8"},
		{"022-23346655-801", "022-23346655-801"},
		{"23346655", "23346655"},
		{"１３８１２３４５６７８", "13812345678"},
		{"12345", "12345"},
		{"abc", "abc"},
	}
	for _, c := range cases {
		if got := normalizePhone(c.in); got != c.want {
			t.Errorf("normalizePhone(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	valid := []string{"13812345678", "19912345678", "022-23346655", "0571-88886666-12", "13812345678-1234"}
	invalid := []string{"12812345678", "1381234567", "23346655", "138123456789", "", "022-123", "abc"}
	for _, v := range valid {
		if !validPhone(v) {
			t.Errorf("validPhone(%q) = false", v)
		}
	}
	for _, v := range invalid {
		if validPhone(v) {
			t.Errorf("validPhone(%q) = true", v)
		}
	}
}

func FuzzParsePaste(f *testing.F) {
	for _, c := range pasteCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := ParsePaste(s)
		for _, v := range []string{p.Name, p.Phone, p.Address, p.Province, p.City, p.District} {
			if !utf8.ValidString(v) && utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 out of valid input: %q", v)
			}
		}
		if p.Phone != "" && !validPhone(p.Phone) {
			t.Fatalf("ParsePaste(%q).Phone = %q, not a valid phone", s, p.Phone)
		}
		if p.Phone != "" && normalizePhone(p.Phone) != p.Phone {
			t.Fatalf("phone %q not normalised", p.Phone)
		}
		if utf8.RuneCountInString(p.Address) > utf8.RuneCountInString(s) {
			t.Fatalf("address longer than input: %q from %q", p.Address, s)
		}
		if strings.ContainsAny(p.Name, "\n\r") {
			t.Fatalf("name with a line break: %q", p.Name)
		}
	})
}
