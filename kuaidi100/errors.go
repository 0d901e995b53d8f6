package kuaidi100

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels for the conditions callers branch on. Every *Error returned by
// the client matches at most one of them with errors.Is.
var (
	ErrNoCredentials = errors.New("kuaidi100: credentials not configured")
	ErrAuth          = errors.New("kuaidi100: bad or missing key/customer")
	ErrSignature     = errors.New("kuaidi100: signature rejected")
	ErrQuota         = errors.New("kuaidi100: quota exhausted or key expired")
	ErrBusy          = errors.New("kuaidi100: service busy")
	ErrServer        = errors.New("kuaidi100: server error")
	ErrNoResult      = errors.New("kuaidi100: no trace yet")
	ErrBadCarrier    = errors.New("kuaidi100: carrier code wrong or not supported")
	ErrPhoneRequired = errors.New("kuaidi100: phone (last 4 digits) required")
	ErrBadRequest    = errors.New("kuaidi100: request parameters rejected")
	ErrBadNumber     = errors.New("kuaidi100: not a valid tracking number")
	ErrNotEnabled    = errors.New("kuaidi100: feature not enabled for this account")
	ErrNoAccount     = errors.New("kuaidi100: no complete e-waybill account for the carrier")
	ErrTaskNotFound  = errors.New("kuaidi100: print task not found or expired")
	ErrSMSRejected   = errors.New("kuaidi100: sms rejected")
	ErrBadSignature  = errors.New("kuaidi100: push signature does not match")
	ErrMalformed     = errors.New("kuaidi100: malformed response")
	ErrTooLarge      = errors.New("kuaidi100: body larger than 1 MiB")
)

// Error is a failed Kuaidi100 call. Message is a Chinese sentence telling a
// clerk what to do; Code and Raw (the response body, truncated) are for the
// log. errors.Is matches the sentinel of the condition.
type Error struct {
	Op      string // query, subscribe, autonumber, order, cancel, reprint, sms, push
	Code    string // the returnCode / code / status as sent, or "network", "http502", …
	Message string // Chinese, actionable
	Raw     string // response body (or transport error) for the log
	// ServiceMessage is the message text the service sent, if any.
	ServiceMessage string

	kind error // sentinel
	err  error // underlying transport error
}

// Error returns one line: the operation, the clerk's message and the code.
func (e *Error) Error() string {
	s := fmt.Sprintf("kuaidi100 %s: %s (code %s", e.Op, e.Message, e.Code)
	if e.ServiceMessage != "" && !strings.Contains(e.Message, e.ServiceMessage) {
		s += ", " + e.ServiceMessage
	}
	return s + ")"
}

// Is reports whether target is the sentinel of this error's condition.
func (e *Error) Is(target error) bool { return e.kind != nil && target == e.kind }

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.err }

type codeInfo struct {
	kind error
	msg  string
}

// The documented return codes per API family (reference §2, §3, §5, §6, §7).
var (
	queryCodes = map[string]codeInfo{
		"400": {ErrBadCarrier, "快递公司编码不正确、不支持该快递公司或账号未充值，请核对快递公司后重试"},
		"408": {ErrPhoneRequired, "该快递公司查询需要寄件人或收件人手机号（后四位即可），请补充手机号后重试"},
		"500": {ErrNoResult, "暂无物流信息：可能尚未揽收，或快递公司选错了，请核对后隔段时间再查"},
		"501": {ErrServer, "快递100服务器错误（可能是参数格式有误），请稍后重试"},
		"502": {ErrBusy, "快递100服务器繁忙，请稍后重试"},
		"503": {ErrSignature, "签名验证失败，请检查授权key和customer是否填写正确（两者容易填反）"},
		"600": {ErrAuth, "授权key或customer无效，请在设置中核对快递100账号"},
		"601": {ErrQuota, "快递100账号余额不足或key已过期，请充值后重试"},
	}
	subscribeCodes = map[string]codeInfo{
		"500": {ErrServer, "快递100订阅失败（服务器错误或快递公司编码不正确），请核对快递公司后重试"},
		"502": {ErrBusy, "快递100服务器繁忙，请稍后重试"},
		"600": {ErrAuth, "授权key无效，请在设置中核对快递100账号"},
		"601": {ErrQuota, "快递100账号余额不足或key已过期，请充值后重试"},
		"700": {ErrBadRequest, "订阅信息有误：快递公司不支持、单号为空或过长，或回调地址不正确，请核对"},
		"701": {ErrBadCarrier, "该快递公司不支持订阅推送，请改用定时查询"},
		"702": {ErrBadCarrier, "无法识别该单号所属的快递公司，请手动选择快递公司后重试"},
	}
	autoNumberCodes = map[string]codeInfo{
		"201": {ErrBadNumber, "这不是有效的快递单号，请核对单号"},
		"601": {ErrNotEnabled, "账号未开通智能单号识别（购买查询或订阅套餐后可用），请手动选择快递公司"},
		"701": {ErrAuth, "缺少授权key，请在设置中填写快递100账号"},
	}
	labelCodes = map[string]codeInfo{
		"-1":    {ErrServer, "快递100服务器错误，请稍后重试"},
		"30001": {ErrBadRequest, "电子面单参数有误，请核对收寄件人信息、快递公司和物品后重试"},
		"30002": {ErrSignature, "电子面单签名验证失败，请检查授权key和secret是否正确"},
		"30003": {ErrAuth, "快递100账号信息错误（key无效），请在设置中核对"},
		"30004": {ErrQuota, "快递100账号余额不足，请充值后重试"},
		"30009": {ErrTaskNotFound, "打印任务不存在或已过期（只能在2天内补打，最多10次），请重新下单或联系快递公司"},
	}
)

// codeError builds the *Error for a documented (or unknown) return code.
func codeError(op, code, serviceMsg, raw string, table map[string]codeInfo) *Error {
	e := &Error{Op: op, Code: code, ServiceMessage: serviceMsg, Raw: truncate(raw)}
	if ci, ok := table[code]; ok {
		e.kind, e.Message = ci.kind, ci.msg
		return e
	}
	e.kind = ErrServer
	e.Message = "快递100返回了未知错误，请稍后重试；如反复出现请联系管理员"
	if serviceMsg != "" {
		e.Message = "快递100返回错误：" + serviceMsg + "，请稍后重试；如反复出现请联系管理员"
	}
	return e
}

func malformed(op, raw string, err error) *Error {
	return &Error{Op: op, Code: "malformed", Message: "快递100返回的数据格式无法识别，请稍后重试；如反复出现请联系管理员", Raw: truncate(raw), kind: ErrMalformed, err: err}
}
