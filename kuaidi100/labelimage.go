package kuaidi100

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // carrier templates may come as JPEG
	"net/http"
	"strings"
	"time"
)

// The label image of printType IMAGE is rendered asynchronously: the short
// link may not serve an image yet right after the order (reference §6.1,
// "retry if it isn't ready yet"). FetchLabelImage retries that long.
const (
	LabelImageAttempts = 8                      // fetches before giving up
	LabelImageDelay    = 500 * time.Millisecond // first wait; doubles, at most 4 s
)

// ErrLabelNotReady is returned when the label image was still not served
// after every retry.
var ErrLabelNotReady = fmt.Errorf("kuaidi100: label image not ready")

// FetchLabelImage downloads the carrier's label image from the short link
// of an IMAGE order and decodes it (PNG or JPEG). An answer that is not an
// image (a 404, an HTML or JSON page saying it is still rendering) is
// retried with growing waits (Config.LabelRetryDelay, doubling, at most 4 s)
// up to LabelImageAttempts times, then ErrLabelNotReady. ctx ends the wait.
func (c *Client) FetchLabelImage(ctx context.Context, link string) (image.Image, error) {
	const op = "label image"
	link = strings.TrimSpace(link)
	if !strings.HasPrefix(link, "http://") && !strings.HasPrefix(link, "https://") {
		return nil, &Error{Op: op, Code: "input", kind: ErrBadRequest, Message: "快递100没有返回面单图片地址：请改用我方面单，或稍后重印"}
	}
	delay := c.cfg.LabelRetryDelay
	if delay <= 0 {
		delay = LabelImageDelay
	}
	var last string
	for attempt := 1; ; attempt++ {
		img, why, err := c.fetchImage(ctx, link)
		if err == nil && img != nil {
			return img, nil
		}
		if err != nil {
			return nil, err
		}
		last = why
		if attempt >= LabelImageAttempts {
			break
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, &Error{Op: op, Code: "canceled", Message: "等待快递100生成面单图片时已取消", err: ctx.Err()}
		case <-t.C:
		}
		delay = min(2*delay, 4*time.Second)
	}
	return nil, &Error{Op: op, Code: "not_ready", kind: ErrLabelNotReady, Raw: last,
		Message: "快递100的面单图片还没有生成好：请稍后在 补打 中重印"}
}

// fetchImage makes one attempt: the image, or why not yet (retry), or an
// error that retrying will not fix.
func (c *Client) fetchImage(ctx context.Context, link string) (image.Image, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, "", &Error{Op: "label image", Code: "input", kind: ErrBadRequest, Raw: err.Error(), Message: "面单图片地址无效：请改用我方面单"}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", &Error{Op: "label image", Code: "canceled", Message: "等待快递100生成面单图片时已取消", err: ctx.Err()}
		}
		return nil, "network: " + err.Error(), nil
	}
	defer resp.Body.Close()
	body, err := readLimited(resp.Body, resp.ContentLength, 8*MaxBody)
	if err != nil {
		return nil, "body: " + err.Error(), nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Sprintf("http %d: %s", resp.StatusCode, truncate(string(body))), nil
	}
	img, _, err := image.Decode(bytes.NewReader(body))
	if err != nil {
		return nil, "not an image: " + truncate(string(body)), nil
	}
	return img, "", nil
}
