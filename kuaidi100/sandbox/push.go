package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"time"

	"shipdesk/kuaidi100"
)

// subscription is one number being pushed to a callback.
type subscription struct {
	Com       string    `json:"com"`
	Num       string    `json:"num"`
	Callback  string    `json:"callback"`
	Salt      string    `json:"salt,omitempty"`
	ResultV2  string    `json:"resultv2"`
	Since     time.Time `json:"since"`
	NextCheck time.Time `json:"nextCheck"`
	Active    bool      `json:"active"`
	Pushed    int       `json:"pushed"`        // events successfully pushed
	Job       *pushJob  `json:"job,omitempty"` // a push waiting for (re)delivery
}

type pushJob struct {
	sub      *subscription // set again when a state is loaded
	Status   string        `json:"status"`
	Form     url.Values    `json:"form"` // param and sign
	Events   int           `json:"events"`
	Due      time.Time     `json:"due"`
	Attempts int           `json:"attempts"`
	Final    bool          `json:"final"`
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
	jobs, checked := s.duePushesLocked(now)
	sms := s.dueSMSLocked(now)
	s.mu.Unlock()
	if checked || len(jobs) > 0 || len(sms) > 0 {
		defer s.changed()
	}
	pushed, received := s.deliverAll(ctx, jobs, sms)
	s.settle(jobs, pushed, received)
}

// duePushesLocked returns the pushes due at now, in the order of their
// subscriptions' keys: retries whose time has come, and a new one for each
// subscription whose check is due and finds a change. checked reports that
// some check was due (the state changes). s.mu must be held.
func (s *Server) duePushesLocked(now time.Time) (jobs []*pushJob, checked bool) {
	keys := make([]string, 0, len(s.subs))
	for k, sub := range s.subs {
		if sub.Active {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		sub := s.subs[k]
		if sub.Job != nil {
			if !now.Before(sub.Job.Due) {
				jobs = append(jobs, sub.Job)
			}
			continue
		}
		if now.Before(sub.NextCheck) {
			continue
		}
		checked = true
		sub.NextCheck = now.Add(s.scaled(s.checkInterval(sub.Num, now)))
		if j := s.check(sub, now); j != nil {
			sub.Job = j
			jobs = append(jobs, j)
		}
	}
	return jobs, checked
}

// dueSMSLocked takes the SMS receipts due at now off the queue. s.mu must
// be held.
func (s *Server) dueSMSLocked(now time.Time) []*smsJob {
	var due []*smsJob
	keep := s.smsQueue[:0]
	for _, j := range s.smsQueue {
		if now.Before(j.Due) {
			keep = append(keep, j)
		} else {
			due = append(due, j)
		}
	}
	s.smsQueue = keep
	return due
}

// deliverAll posts every push and receipt, in order, without s.mu held;
// it reports which were accepted.
func (s *Server) deliverAll(ctx context.Context, jobs []*pushJob, sms []*smsJob) (pushed, received []bool) {
	pushed = make([]bool, len(jobs))
	for i, j := range jobs {
		pushed[i] = s.deliver(ctx, j.sub.Callback, "application/x-www-form-urlencoded", []byte(j.Form.Encode()), true)
	}
	received = make([]bool, len(sms))
	for i, j := range sms {
		received[i] = s.deliver(ctx, j.Callback, "application/json; charset=utf-8", j.Body, false)
	}
	return pushed, received
}

// settle records how the step's deliveries went: a push accepted moves its
// subscription on, one refused is retried later or, after PushRetries,
// dropped; receipts are counted.
func (s *Server) settle(jobs []*pushJob, pushed, received []bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	for i, j := range jobs {
		s.settlePushLocked(j, pushed[i], now)
	}
	for _, ok := range received {
		if ok {
			s.stats.SMS["receipts"]++
		} else {
			s.stats.SMS["receiptFailures"]++
		}
	}
}

// settlePushLocked records one push's delivery. s.mu must be held.
func (s *Server) settlePushLocked(j *pushJob, ok bool, now time.Time) {
	sub := j.sub
	if ok {
		s.stats.Pushes["sent"]++
		s.stats.Pushes[j.Status]++
		sub.Pushed = max(sub.Pushed, j.Events)
		sub.Job = nil
		if j.Final {
			sub.Active = false
		}
		return
	}
	s.stats.Pushes["failed"]++
	j.Attempts++
	if j.Attempts > PushRetries {
		s.stats.Pushes["dropped"]++
		sub.Job = nil
		if j.Final {
			sub.Active = false
		}
		s.logf("sandbox: push of %s to %s dropped after %d retries", sub.Num, sub.Callback, PushRetries)
		return
	}
	s.stats.Pushes["retried"]++
	j.Due = now.Add(s.scaled(PushRetryDelay))
}

// checkInterval is the time to the service's next check of a subscribed
// number: PushInterval (about 4 hours, as Kuaidi100's Java SDK comment
// says) times a factor uniform in 0.75-1.25, drawn per number and check
// (our assumption of how regular the checks are). A push then follows its
// event by 0-4 hours mostly and by more than 4 hours about 6 % of the time
// (the share of time that lies more than 4 h before the end of an
// interval longer than 4 h), the "under 10 %" the service's letter states.
func (s *Server) checkInterval(num string, now time.Time) time.Duration {
	f := 0.75 + 0.5*s.rngFor("check", num, now.UTC().Format(time.RFC3339Nano)).Float64()
	return time.Duration(f * float64(s.opts.PushInterval))
}

// check decides whether a subscription needs a push now.
func (s *Server) check(sub *subscription, now time.Time) *pushJob {
	p := s.parcels[sub.Num]
	var evs []event
	if p != nil && p.Com == sub.Com && !p.NoTrace {
		evs = p.visible(now)
	}
	pp := kuaidi100.PushParam{AutoCheck: "0", BillStatus: "got"}
	switch {
	case len(evs) == 0:
		if now.Sub(sub.Since) < NoTraceAbort {
			return nil
		}
		pp.Status, pp.Message = kuaidi100.PushAbort, "3天查询无记录"
		if p != nil && p.Issued && p.Com != sub.Com {
			pp.ComNew = p.Com // the service found the right carrier
		}
		pp.LastResult = kuaidi100.ResultEnvelope{Message: "ok", Nu: sub.Num, Com: sub.Com, Status: "200", IsCheck: "0", Data: []kuaidi100.WireEvent{}}
	case len(evs) <= sub.Pushed:
		if now.Sub(evs[len(evs)-1].At) < NoChangeAbort {
			return nil
		}
		pp.Status, pp.Message = kuaidi100.PushAbort, "60天无变化"
		pp.LastResult = p.result(evs, sub.ResultV2)
	default:
		pp.Status = kuaidi100.PushPolling
		if terminal(evs[len(evs)-1].Code) {
			pp.Status, pp.BillStatus = kuaidi100.PushShutdown, "check"
		}
		pp.LastResult = p.result(evs, sub.ResultV2)
	}
	b, _ := json.Marshal(pp)
	param := string(b)
	return &pushJob{sub: sub, Status: pp.Status, Events: len(evs), Due: now,
		Final: pp.Status != kuaidi100.PushPolling,
		Form:  url.Values{"param": {param}, "sign": {kuaidi100.PushSign(param, sub.Salt)}}}
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
