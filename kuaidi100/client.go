// Package kuaidi100 is the wire client for every Kuaidi100 (快递100)
// endpoint Shipdesk uses: real-time query, subscription and push callbacks,
// carrier auto-detection, the V2 electronic waybill (order, cancel, reprint)
// and SMS. It signs exactly the param string it sends, form-encodes every
// request, decodes numbers-as-strings tolerantly and turns every documented
// return code into an *Error a clerk can act on.
//
// The protocol is described in reference/kuaidi100-api.md; package
// kuaidi100/sandbox imitates the service locally.
package kuaidi100

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// The real endpoints. With Config.BaseURL set, every call goes to BaseURL
// plus the path of the matching real endpoint instead.
const (
	QueryURL      = "https://poll.kuaidi100.com/poll/query.do"
	SubscribeURL  = "https://poll.kuaidi100.com/poll"
	AutoNumberURL = "https://www.kuaidi100.com/autonumber/auto"
	LabelURL      = "https://api.kuaidi100.com/label/order"
	SMSURL        = "https://apisms.kuaidi100.com/sms/send.do"
)

// The request paths, shared with the sandbox.
const (
	PathQuery      = "/poll/query.do"
	PathSubscribe  = "/poll"
	PathAutoNumber = "/autonumber/auto"
	PathLabel      = "/label/order"
	PathSMS        = "/sms/send.do"
)

// MaxBody is the largest response or push body read (1 MiB). Anything
// larger is refused with ErrTooLarge without being read into memory.
const MaxBody = 1 << 20

// Config holds the account and transport settings of a Client.
type Config struct {
	Key       string // 授权key
	Customer  string // 公司编号 (query)
	Secret    string // e-waybill secret
	UserID    string // SMS userid
	SMSSeller string // SMS signature shown in 【】
	// BaseURL, when not empty, sends every endpoint to this base using the
	// real paths (e.g. "http://127.0.0.1:8100" for the sandbox). Empty means
	// the real Kuaidi100 hosts.
	BaseURL string
	// HTTPClient is used for every call; nil means a client with a 30 s
	// timeout. The caller owns it.
	HTTPClient *http.Client
	// Now returns the time used for the e-waybill timestamp t; nil means
	// time.Now.
	Now func() time.Time
	// LabelRetryDelay is the first wait between fetches of a label image
	// that is still being rendered; 0 means LabelImageDelay.
	LabelRetryDelay time.Duration
}

// The environment variables ConfigFromEnv reads.
const (
	EnvKey       = "KUAIDI100_KEY"
	EnvCustomer  = "KUAIDI100_CUSTOMER"
	EnvSecret    = "KUAIDI100_SECRET"
	EnvUserID    = "KUAIDI100_USERID"
	EnvSMSSeller = "KUAIDI100_SMS_SELLER"
)

// ConfigFromEnv returns base with every credential whose KUAIDI100_*
// environment variable is set (and not empty) replaced by that value.
func ConfigFromEnv(base Config) Config {
	set := func(dst *string, name string) {
		if v := strings.TrimSpace(os.Getenv(name)); v != "" {
			*dst = v
		}
	}
	set(&base.Key, EnvKey)
	set(&base.Customer, EnvCustomer)
	set(&base.Secret, EnvSecret)
	set(&base.UserID, EnvUserID)
	set(&base.SMSSeller, EnvSMSSeller)
	return base
}

// HasQueryCredentials reports whether the key and customer needed for
// tracking queries are set.
func (c Config) HasQueryCredentials() bool { return c.Key != "" && c.Customer != "" }

// Client calls the Kuaidi100 API. It is safe for concurrent use; it holds no
// per-call state.
type Client struct {
	cfg  Config
	http *http.Client
	now  func() time.Time
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{cfg: cfg, http: hc, now: now}
}

// Config returns the client's configuration.
func (c *Client) Config() Config { return c.cfg }

func (c *Client) endpoint(real, path string) string {
	if c.cfg.BaseURL == "" {
		return real
	}
	return c.cfg.BaseURL + path
}

// Sign returns the upper-case hex MD5 of the concatenated parts, the
// signature every Kuaidi100 API uses.
func Sign(parts ...string) string {
	h := md5.New()
	for _, p := range parts {
		io.WriteString(h, p)
	}
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil)))
}

// QuerySign is the real-time query signature MD5(param+key+customer).
func QuerySign(param, key, customer string) string { return Sign(param, key, customer) }

// LabelSign is the e-waybill signature MD5(param+t+key+secret).
func LabelSign(param, t, key, secret string) string { return Sign(param, t, key, secret) }

// SMSSign is the SMS signature MD5(key+userid), key first.
func SMSSign(key, userid string) string { return Sign(key, userid) }

// PushSign is the push signature MD5(param+salt).
func PushSign(param, salt string) string { return Sign(param, salt) }

// post form-encodes form, sends it to u and returns the body (at most
// MaxBody bytes). A non-2xx status is an error carrying the body.
func (c *Client) post(ctx context.Context, op, u string, form url.Values) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("kuaidi100 %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &Error{Op: op, Code: "network", Message: "无法连接快递100服务器，请检查网络后重试", Raw: err.Error(), err: err}
	}
	defer resp.Body.Close()
	body, err := readLimited(resp.Body, resp.ContentLength, MaxBody)
	if err != nil {
		return nil, &Error{Op: op, Code: "body", Message: "快递100返回的数据无法读取，请稍后重试", Raw: err.Error(), err: err}
	}
	if resp.StatusCode/100 != 2 {
		return nil, &Error{Op: op, Code: fmt.Sprintf("http%d", resp.StatusCode), Message: "快递100服务器暂时不可用，请稍后重试", Raw: truncate(string(body))}
	}
	return body, nil
}

// readLimited reads all of r unless it is longer than limit, in which case
// it stops at limit+1 bytes and returns ErrTooLarge.
func readLimited(r io.Reader, declared int64, limit int64) ([]byte, error) {
	if declared > limit {
		return nil, ErrTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, ErrTooLarge
	}
	return b, nil
}

func truncate(s string) string {
	const max = 4096
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

func (c *Client) need(op string, fields ...string) error {
	var missing []string
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] == "" {
			missing = append(missing, fields[i])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &Error{Op: op, Code: "config", Message: "未配置快递100账号信息（" + strings.Join(missing, "、") + "），请在设置中填写或设置 KUAIDI100_* 环境变量", kind: ErrNoCredentials}
}
