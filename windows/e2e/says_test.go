package e2e

import "testing"

func TestSaysMatchesEitherLanguage(t *testing.T) {
	const key = "job %d sent: %d bytes to %s"
	for out, want := range map[string]bool{
		"job 1 sent: 9790 bytes to winspool://LABEL\n":   true,
		"打印任务 1 已发送：9790 字节到 winspool://LABEL\n":         true,
		"shipdesk print: 打印机没有响应":                        false,
		"job 1 failed: 9790 bytes to winspool://LABEL\n": false,
	} {
		if got := says(out, key); got != want {
			t.Errorf("says(%q) = %v, want %v", out, got, want)
		}
	}
}
