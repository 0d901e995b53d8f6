package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"

	"shipdesk/kuaidi100"
)

// subscription is one number being pushed to a callback.
type subscription struct {
	com, num, callback, salt, resultv2 string
	since, nextCheck                   time.Time
	active                             bool
	pushed                             int // events successfully pushed
	job                                *pushJob
}

type pushJob struct {
	sub      *subscription
	status   string
	form     url.Values
	events   int
	due      time.Time
	attempts int
	final    bool
}

// Step delivers everything due on the simulated clock now: subscription
// checks (a push on change, shutdown when the parcel reaches a terminal
// state, abort after 3 days without a trace or 60 days without change),
// push retries (3, 35 simulated minutes apart) and SMS receipts. It returns
// when every delivery attempt of this step has finished. Run calls it
// periodically; tests call it after Advance.
func (s *Server) Step(ctx context.Context) {
	s.stepMu.Lock()
	defer s.stepMu.Unlock()

	s.mu.Lock()
	now := s.nowLocked()
	keys := make([]string, 0, len(s.subs))
	for k, sub := range s.subs {
		if sub.active {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var jobs []*pushJob
	for _, k := range keys {
		sub := s.subs[k]
		if sub.job != nil {
			if !now.Before(sub.job.due) {
				jobs = append(jobs, sub.job)
			}
			continue
		}
		if now.Before(sub.nextCheck) {
			continue
		}
		sub.nextCheck = now.Add(s.opts.PushInterval)
		if j := s.check(sub, now); j != nil {
			sub.job = j
			jobs = append(jobs, j)
		}
	}
	var sms []*smsJob
	keep := s.smsQueue[:0]
	for _, j := range s.smsQueue {
		if now.Before(j.due) {
			keep = append(keep, j)
		} else {
			sms = append(sms, j)
		}
	}
	s.smsQueue = keep
	s.mu.Unlock()

	results := make([]bool, len(jobs))
	for i, j := range jobs {
		results[i] = s.deliver(ctx, j.sub.callback, "application/x-www-form-urlencoded", []byte(j.form.Encode()), true)
	}
	smsOK := make([]bool, len(sms))
	for i, j := range sms {
		smsOK[i] = s.deliver(ctx, j.callback, "application/json; charset=utf-8", j.body, false)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now = s.nowLocked()
	for i, j := range jobs {
		sub := j.sub
		if results[i] {
			s.stats.pushes["sent"]++
			s.stats.pushes[j.status]++
			sub.pushed = max(sub.pushed, j.events)
			sub.job = nil
			if j.final {
				sub.active = false
			}
			continue
		}
		s.stats.pushes["failed"]++
		j.attempts++
		if j.attempts > PushRetries {
			s.stats.pushes["dropped"]++
			sub.job = nil
			if j.final {
				sub.active = false
			}
			s.logf("sandbox: push of %s to %s dropped after %d retries", sub.num, sub.callback, PushRetries)
			continue
		}
		s.stats.pushes["retried"]++
		j.due = now.Add(PushRetryDelay)
	}
	for _, ok := range smsOK {
		if ok {
			s.stats.sms["receipts"]++
		} else {
			s.stats.sms["receiptFailures"]++
		}
	}
}

// check decides whether a subscription needs a push now.
func (s *Server) check(sub *subscription, now time.Time) *pushJob {
	p := s.parcels[sub.num]
	var evs []event
	if p != nil && p.Com == sub.com && !p.noTrace {
		evs = p.visible(now)
	}
	pp := kuaidi100.PushParam{AutoCheck: "0", BillStatus: "got"}
	switch {
	case len(evs) == 0:
		if now.Sub(sub.since) < NoTraceAbort {
			return nil
		}
		pp.Status, pp.Message = kuaidi100.PushAbort, "3天查询无记录"
		if p != nil && p.Issued && p.Com != sub.com {
			pp.ComNew = p.Com // the service found the right carrier
		}
		pp.LastResult = kuaidi100.ResultEnvelope{Message: "ok", Nu: sub.num, Com: sub.com, Status: "200", IsCheck: "0", Data: []kuaidi100.WireEvent{}}
	case len(evs) <= sub.pushed:
		if now.Sub(evs[len(evs)-1].At) < NoChangeAbort {
			return nil
		}
		pp.Status, pp.Message = kuaidi100.PushAbort, "60天无变化"
		pp.LastResult = p.result(evs, sub.resultv2)
	default:
		pp.Status = kuaidi100.PushPolling
		if terminal(evs[len(evs)-1].Code) {
			pp.Status, pp.BillStatus = kuaidi100.PushShutdown, "check"
		}
		pp.LastResult = p.result(evs, sub.resultv2)
	}
	b, _ := json.Marshal(pp)
	param := string(b)
	return &pushJob{sub: sub, status: pp.Status, events: len(evs), due: now,
		final: pp.Status != kuaidi100.PushPolling,
		form:  url.Values{"param": {param}, "sign": {kuaidi100.PushSign(param, sub.salt)}}}
}

// deliver posts body and reports whether the receiver accepted it: HTTP 200
// and, for pushes, the documented reply body.
func (s *Server) deliver(ctx context.Context, target, contentType string, body []byte, push bool) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "shipdesk-kuaidi100-sandbox")
	resp, err := s.hc.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return false
	}
	if !push {
		return true
	}
	return kuaidi100.IsPushReplyOK(reply)
}

// handleLabelImage serves the IMAGE label of a task: a Code 128 barcode of
// the waybill number as PNG.
func (s *Server) handleLabelImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	pc := s.tasks[r.PathValue("task")]
	s.mu.Unlock()
	if pc == nil {
		http.NotFound(w, r)
		return
	}
	raw, err := code128.Encode(pc.Num)
	var bc barcode.Barcode
	if err == nil {
		bc, err = barcode.Scale(raw, 600, 160)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	png.Encode(w, bc)
}
