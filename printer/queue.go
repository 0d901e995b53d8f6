package printer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"shipdesk/assets/i18n"
	"shipdesk/store"
)

// JobStore is where the queue keeps jobs; *store.DB implements it.
type JobStore interface {
	AddJob(ctx context.Context, j *store.PrintJob) error
	UpdateJob(ctx context.Context, id uint64, fn func(*store.PrintJob) error) (store.PrintJob, error)
	Jobs(ctx context.Context, f store.JobFilter) ([]store.PrintJob, error)
	Job(ctx context.Context, id uint64) (store.PrintJob, error)
}

// Queue is the persisted print queue. Every job is stored before a byte is
// sent and moves queued -> sending -> sent | failed. A failed job stays
// failed until a person retries or cancels it: nothing is resent on its own,
// so a label is never lost and never printed twice unasked.
//
// Sending is synchronous: Submit and Retry return when the printer has taken
// the job or failed. Jobs to the same printer address are sent one at a
// time; a Queue is safe for concurrent use.
type Queue struct {
	db   JobStore
	open func(ctx context.Context, uri string) (Device, error)

	mu    sync.Mutex
	locks map[string]*sync.Mutex // per printer URI
}

// NewQueue returns a queue over db that opens printers with open (nil:
// Open). The caller keeps owning db.
func NewQueue(db JobStore, open func(ctx context.Context, uri string) (Device, error)) *Queue {
	if open == nil {
		open = Open
	}
	return &Queue{db: db, open: open, locks: map[string]*sync.Mutex{}}
}

// saveTimeout bounds writing a job's outcome, which happens even when the
// caller's ctx has ended (the outcome must not be lost).
const saveTimeout = 5 * time.Second

// Submit stores job (state queued, new ID, no attempts) and sends it. It
// returns the stored job as it ended: sent, or failed with the error
// recorded in job.Error, and then also a non-nil error (see Describe).
func (q *Queue) Submit(ctx context.Context, job store.PrintJob) (store.PrintJob, error) {
	job.ID, job.State, job.Attempts, job.Error, job.ErrorDetail = 0, store.JobQueued, 0, "", ""
	if len(job.Data) == 0 {
		return job, fmt.Errorf("submit print job: no data to print")
	}
	if _, err := ParseURI(job.PrinterURI); err != nil {
		return job, fmt.Errorf("submit print job: %w", err)
	}
	if err := q.db.AddJob(ctx, &job); err != nil {
		return job, fmt.Errorf("submit print job: %w", err)
	}
	return q.send(ctx, job.ID, job.PrinterURI, store.JobQueued, "")
}

// Retry sends a failed job again because a person (who) asked. Only failed
// jobs can be retried (ErrNotRetryable otherwise); two retries at once send
// it once.
func (q *Queue) Retry(ctx context.Context, id uint64, who string) (store.PrintJob, error) {
	j, err := q.db.Job(ctx, id)
	if err != nil {
		return j, fmt.Errorf("retry print job %d: %w", id, err)
	}
	if j.State != store.JobFailed {
		return j, fmt.Errorf("retry print job %d (%s): %w", id, j.State, ErrNotRetryable)
	}
	return q.send(ctx, id, j.PrinterURI, store.JobFailed, who)
}

// Cancel gives up a queued or failed job; who is recorded on it. Sent and
// sending jobs cannot be cancelled (ErrNotCancellable).
func (q *Queue) Cancel(ctx context.Context, id uint64, who string) error {
	_, err := q.db.UpdateJob(ctx, id, func(j *store.PrintJob) error {
		switch j.State {
		case store.JobQueued, store.JobFailed:
			j.State = store.JobCancelled
			if who != "" {
				j.Who = who
			}
			return nil
		case store.JobCancelled:
			return nil
		}
		return fmt.Errorf("job is %s: %w", j.State, ErrNotCancellable)
	})
	if err != nil {
		return fmt.Errorf("cancel print job %d: %w", id, err)
	}
	return nil
}

// Recover runs once at start, before any Submit: jobs a crash left in
// "sending" may or may not have printed, and "queued" ones never reached the
// printer; both become failed with a note, for a person to check and retry.
// Nothing is resent.
func (q *Queue) Recover(ctx context.Context) error {
	notes := map[store.JobState]struct{ key, detail string }{
		store.JobSending: {i18n.N("The program stopped while sending this label: see whether the printer printed it before you print it again."), "interrupted while sending; check the printer before retrying"},
		store.JobQueued:  {i18n.N("The program stopped before sending this label; nothing was sent: press Retry."), "interrupted before sending; nothing was sent"},
	}
	for state, note := range notes {
		jobs, err := q.db.Jobs(ctx, store.JobFilter{State: state})
		if err != nil {
			return fmt.Errorf("recover print jobs: %w", err)
		}
		for _, j := range jobs {
			_, err := q.db.UpdateJob(ctx, j.ID, func(j *store.PrintJob) error {
				if j.State != state {
					return nil
				}
				j.State, j.Error, j.ErrorDetail = store.JobFailed, note.key, note.detail
				return nil
			})
			if err != nil {
				return fmt.Errorf("recover print job %d: %w", j.ID, err)
			}
		}
	}
	return nil
}

// Failed lists jobs waiting for a person, newest first.
func (q *Queue) Failed(ctx context.Context, limit int) ([]store.PrintJob, error) {
	return q.db.Jobs(ctx, store.JobFilter{State: store.JobFailed, Limit: limit})
}

func (q *Queue) printerLock(uri string) *sync.Mutex {
	q.mu.Lock()
	defer q.mu.Unlock()
	l, ok := q.locks[uri]
	if !ok {
		l = &sync.Mutex{}
		q.locks[uri] = l
	}
	return l
}

// send moves job id from state `from` to sending (atomically, so it is sent
// once), delivers it and records the outcome.
func (q *Queue) send(ctx context.Context, id uint64, uri string, from store.JobState, who string) (store.PrintJob, error) {
	lock := q.printerLock(uri)
	lock.Lock()
	defer lock.Unlock()
	j, err := q.db.UpdateJob(ctx, id, func(j *store.PrintJob) error {
		if j.State != from {
			if from == store.JobFailed {
				return fmt.Errorf("job is %s: %w", j.State, ErrNotRetryable)
			}
			return fmt.Errorf("job is %s, not %s", j.State, from)
		}
		j.State = store.JobSending
		j.Attempts++
		if who != "" {
			j.Who = who
		}
		return nil
	})
	if err != nil {
		return j, fmt.Errorf("send print job %d: %w", id, err)
	}
	sendErr := q.deliver(ctx, j.PrinterURI, j.Data)
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	j, err = q.db.UpdateJob(saveCtx, id, func(j *store.PrintJob) error {
		if sendErr != nil {
			j.State = store.JobFailed
			j.Error, j.ErrorDetail = errorKey(sendErr), sendErr.Error()
		} else {
			j.State, j.Error, j.ErrorDetail = store.JobSent, "", ""
		}
		return nil
	})
	if err != nil {
		return j, fmt.Errorf("record print job %d: %w", id, errors.Join(err, sendErr))
	}
	if sendErr != nil {
		return j, fmt.Errorf("print job %d: %w", id, sendErr)
	}
	return j, nil
}

// deliver opens the printer, refuses to send when it reports a blocking
// condition (paper out, head open, paused...), and prints.
func (q *Queue) deliver(ctx context.Context, uri string, data []byte) error {
	dev, err := q.open(ctx, uri)
	if err != nil {
		return err
	}
	defer dev.Close()
	if h, ok := dev.(languageHinter); ok {
		h.hintLanguage(SniffLanguage(data))
	}
	if st, err := dev.Status(ctx); err == nil && st.Blocking() {
		return &StatusError{Status: st}
	}
	return dev.Print(ctx, data)
}

// languageHinter is implemented by devices that cannot tell their language
// themselves (TCP, serial, USB without a device ID): the queue tells them the
// job's language so the status query is one the printer understands. An
// address's ?lang= or a device ID always wins.
type languageHinter interface {
	hintLanguage(lang Language)
}
