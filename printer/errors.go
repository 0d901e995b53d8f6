package printer

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on. Transport errors wrap one of these where
// the cause is known, so errors.Is works through the queue and the CLI.
var (
	// ErrBadURI: the printer address cannot be understood.
	ErrBadURI = errors.New("bad printer address")
	// ErrNotFound: no printer answers at that address (no such USB device,
	// serial port or file folder).
	ErrNotFound = errors.New("printer not found")
	// ErrDisconnected: the printer went away during the job (USB unplugged,
	// serial port gone, connection reset). The job may be partly printed.
	ErrDisconnected = errors.New("printer disconnected")
	// ErrRefused: a network printer refused the connection (off, or busy
	// with another computer's job).
	ErrRefused = errors.New("printer refused the connection")
	// ErrTimeout: the printer did not take or confirm the job in time.
	ErrTimeout = errors.New("printer timed out")
	// ErrPermission: the operating system denied access to the device.
	ErrPermission = errors.New("permission denied")
	// ErrBusy: another program or driver holds the device.
	ErrBusy = errors.New("printer busy")
	// ErrUSBNotBuilt: this binary was built without USB support.
	ErrUSBNotBuilt = errors.New("USB printing not built in (needs cgo and libusb-1.0; rebuild without -tags nousb)")
	// ErrUnsupportedLanguage: the device speaks neither TSPL nor ZPL.
	ErrUnsupportedLanguage = errors.New("printer language not supported")
	// ErrNotRetryable: only failed jobs may be retried.
	ErrNotRetryable = errors.New("job is not failed")
	// ErrNotCancellable: sent or sending jobs cannot be cancelled.
	ErrNotCancellable = errors.New("job cannot be cancelled")
)

// StatusError says the printer reported a condition that stops printing
// (paper out, head open, ...). The job was not sent.
type StatusError struct {
	Status Status
}

// Error says which condition stopped the job, in English for the log.
func (e *StatusError) Error() string {
	return fmt.Sprintf("printer not ready: %s", e.Status)
}

// Describe turns an error from this package into one Chinese sentence a
// clerk can act on. Errors it does not know get a generic sentence; the
// detail belongs in the log.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status.Advice()
	}
	switch {
	case errors.Is(err, ErrBadURI):
		return "打印机地址写得不对，请在设置里检查打印机地址（例如 usb://、tcp://192.168.1.50:9100）。"
	case errors.Is(err, ErrUSBNotBuilt):
		return "这个版本没有 USB 打印功能，请改用网络或串口打印机，或安装带 USB 支持的版本。"
	case errors.Is(err, ErrPermission):
		return "没有权限使用这台 USB 打印机：请让管理员添加 udev 规则（见说明书“打印机设置”），然后重新插拔打印机。"
	case errors.Is(err, ErrBusy):
		return "打印机正被其他程序占用，请关闭其他打印程序后重试。"
	case errors.Is(err, ErrRefused):
		return "打印机拒绝连接：请确认打印机已开机、IP 地址正确，且没有别的电脑正在用它打印。"
	case errors.Is(err, ErrTimeout):
		return "打印机没有响应（超时）：请检查打印机是否开机、网线或数据线是否插好，确认这张标签是否已打出后再重试。"
	case errors.Is(err, ErrDisconnected):
		return "打印过程中打印机断开了：请检查数据线和电源，确认这张标签是否已打出后再重试。"
	case errors.Is(err, ErrNotFound):
		return "找不到打印机：请确认打印机已接好并开机，或在设置里重新选择打印机。"
	case errors.Is(err, ErrUnsupportedLanguage):
		return "这台打印机不支持 TSPL 或 ZPL 指令，无法打印面单，请换一台标签打印机。"
	case errors.Is(err, ErrNotRetryable):
		return "只有打印失败的任务才能重新打印。"
	case errors.Is(err, ErrNotCancellable):
		return "已发送的打印任务不能取消。"
	}
	return "打印失败，请检查打印机后重试。"
}
