package shipping

import (
	"context"
	"errors"
	"shipdesk/kuaidi100"
	"shipdesk/printer/label"
	"shipdesk/store"
	"strings"
)

// Errors callers branch on. Their text is a Chinese sentence for a clerk.
var (
	ErrForbidden      = errors.New("没有权限做这件事，请让主管操作。")
	ErrInvalidOrder   = errors.New("订单信息不完整或有误，请按提示修改。")
	ErrPickedUp       = errors.New("快件已揽收，运单不能再取消。")
	ErrCancelled      = errors.New("运单已取消，不能再打印。")
	ErrReasonRequired = errors.New("请填写原因。")
	ErrNoWaybill      = errors.New("找不到这个运单号。")
	ErrNoPrinter      = errors.New("没有可用的打印机，请在设置里添加打印机。")
	// ErrOrderClosed: the order was closed without a waybill (it was
	// corrected and shipped under a new id, which the message names).
	ErrOrderClosed = errors.New("这个订单已关闭，没有运单：")
)

// ValidationError lists what is wrong with an order. It matches
// ErrInvalidOrder with errors.Is.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, f.Message)
	}
	return strings.Join(parts, " ")
}

// Is reports whether target is ErrInvalidOrder.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidOrder }

// Describe turns an error from any step into one Chinese sentence a clerk
// can act on; the detail stays in the log.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Error()
	}
	var ke *kuaidi100.Error
	if errors.As(err, &ke) && ke.Message != "" {
		return ke.Message
	}
	for _, e := range []error{ErrForbidden, ErrWrongPIN, ErrUnknownUser, ErrPickedUp, ErrCancelled, ErrReasonRequired, ErrNoWaybill, ErrNoPrinter} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	switch {
	case errors.Is(err, label.ErrMissingGlyph), errors.Is(err, label.ErrTextTooLong), errors.Is(err, label.ErrNoWaybill):
		return "面单无法生成：" + fromHan(err.Error())
	case errors.Is(err, label.ErrSize):
		return "不支持这个标签尺寸，请选 76x130、100x150 或 100x180。"
	case errors.Is(err, store.ErrNotFound):
		return "找不到这条记录。"
	case errors.Is(err, store.ErrDuplicate):
		return "这个运单号已被另一家快递使用，请核对快递公司。"
	case errors.Is(err, context.DeadlineExceeded):
		return "网络超时，请稍后重试（重试不会重复下单）。"
	case errors.Is(err, context.Canceled):
		return "操作已取消。"
	}
	msg := err.Error()
	if hasHan(msg) {
		return fromHan(msg)
	}
	return "操作失败：" + msg
}

// fromHan drops the English "op: " prefixes wrapping a Chinese message.
func fromHan(msg string) string {
	for i, r := range msg {
		if r >= 0x4E00 && r <= 0x9FFF {
			// Keep an opening quote or bracket right before it.
			j := strings.LastIndex(msg[:i], ": ")
			if j >= 0 && j+2 <= i && !strings.ContainsAny(msg[j+2:i], ":") {
				return msg[j+2:]
			}
			return msg[i:]
		}
	}
	return msg
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}
