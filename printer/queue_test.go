package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"shipdesk/assets/i18n"
	"shipdesk/store"
)

func openStore(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// scriptedPrinter is a Device whose status and outcome the test sets; it
// counts the jobs it printed.
type scriptedPrinter struct {
	mu      sync.Mutex
	status  Status
	failErr error
	printed [][]byte
	opened  int
}

func (s *scriptedPrinter) open(ctx context.Context, uri string) (Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opened++
	return scriptedDevice{s}, nil
}

type scriptedDevice struct{ s *scriptedPrinter }

func (d scriptedDevice) Print(ctx context.Context, job []byte) error {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	if d.s.failErr != nil {
		return d.s.failErr
	}
	d.s.printed = append(d.s.printed, append([]byte(nil), job...))
	return nil
}

func (d scriptedDevice) Status(ctx context.Context) (Status, error) {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	return d.s.status, nil
}
func (d scriptedDevice) Info() Info   { return Info{Transport: "test"} }
func (d scriptedDevice) Close() error { return nil }

func newJob(data string) store.PrintJob {
	return store.PrintJob{Waybill: "YT7512345678901", PrinterURI: "tcp://printer.test", Format: "tspl", Data: []byte(data), Who: "王芳"}
}

func TestQueueSendsOverTCP(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "shipdesk.db"))
	defer db.Close()
	got := make(chan []byte, 4)
	addr := fakeNetPrinter(t, func(c *net.TCPConn) {
		var b bytes.Buffer
		b.ReadFrom(c)
		got <- b.Bytes()
	})
	q := NewQueue(db, nil)
	job := newJob("SIZE 100 mm,150 mm\r\nCLS\r\nPRINT 1\r\n")
	job.PrinterURI = "tcp://" + addr + "?lang=tspl"
	j, err := q.Submit(t.Context(), job)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != store.JobSent || j.Attempts != 1 || j.ID == 0 {
		t.Fatalf("job after Submit: %+v", j)
	}
	// The status query and the job each came on their own connection.
	var b []byte
	for b = <-got; len(b) == 3; b = <-got {
	}
	if !bytes.Equal(b, job.Data) {
		t.Fatalf("printer got %q", b)
	}
	stored, err := db.Job(t.Context(), j.ID)
	if err != nil || stored.State != store.JobSent || !bytes.Equal(stored.Data, job.Data) {
		t.Fatalf("stored job %+v, %v", stored, err)
	}
}

func TestQueuePaperOutThenRestartThenRetry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shipdesk.db")
	db := openStore(t, path)
	p := &scriptedPrinter{status: PaperOut}
	q := NewQueue(db, p.open)
	j, err := q.Submit(t.Context(), newJob("CLS\r\nPRINT 1\r\n"))
	var se *StatusError
	if !errors.As(err, &se) || se.Status != PaperOut {
		t.Fatalf("Submit to a printer out of paper: %v, want a paper-out StatusError", err)
	}
	// The clerk's sentence (a catalogue key, Chinese in the Chinese UI)
	// and the technical detail are kept apart.
	if zh, _ := i18n.Lookup("zh", j.Error); j.State != store.JobFailed || j.Attempts != 1 || !strings.Contains(zh, "缺纸") ||
		!strings.Contains(j.ErrorDetail, "paper out") || strings.Contains(j.Error, "paper out") {
		t.Fatalf("failed job: %+v", j)
	}
	if len(p.printed) != 0 {
		t.Fatal("a job was sent to a printer out of paper")
	}
	db.Close()

	// Restart: the job is still there, failed and retryable.
	db = openStore(t, path)
	defer db.Close()
	p2 := &scriptedPrinter{status: Ready}
	q = NewQueue(db, p2.open)
	if err := q.Recover(t.Context()); err != nil {
		t.Fatal(err)
	}
	failed, err := q.Failed(t.Context(), 10)
	if err != nil || len(failed) != 1 || failed[0].ID != j.ID || string(failed[0].Data) != "CLS\r\nPRINT 1\r\n" {
		t.Fatalf("failed jobs after restart: %+v, %v", failed, err)
	}
	if len(p2.printed) != 0 {
		t.Fatal("restart resent a failed job on its own")
	}
	// A person retries: it prints once.
	j, err = q.Retry(t.Context(), j.ID, "李明")
	if err != nil || j.State != store.JobSent || j.Attempts != 2 || j.Who != "李明" || j.Error != "" {
		t.Fatalf("Retry: %+v, %v", j, err)
	}
	if len(p2.printed) != 1 {
		t.Fatalf("printed %d times, want 1", len(p2.printed))
	}
	if _, err := q.Retry(t.Context(), j.ID, "李明"); !errors.Is(err, ErrNotRetryable) {
		t.Fatalf("retry of a sent job: %v, want ErrNotRetryable", err)
	}
	if err := q.Cancel(t.Context(), j.ID, "李明"); !errors.Is(err, ErrNotCancellable) {
		t.Fatalf("cancel of a sent job: %v, want ErrNotCancellable", err)
	}
	if len(p2.printed) != 1 {
		t.Fatalf("printed %d times, want 1", len(p2.printed))
	}
}

func TestQueueRecoverInterrupted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shipdesk.db")
	db := openStore(t, path)
	// A crash mid-send leaves a job in "sending", another in "queued".
	sending, queued := newJob("A"), newJob("B")
	for _, j := range []*store.PrintJob{&sending, &queued} {
		if err := db.AddJob(t.Context(), j); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.UpdateJob(t.Context(), sending.ID, func(j *store.PrintJob) error {
		j.State, j.Attempts = store.JobSending, 1
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openStore(t, path)
	defer db.Close()
	p := &scriptedPrinter{status: Ready}
	q := NewQueue(db, p.open)
	if err := q.Recover(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []uint64{sending.ID, queued.ID} {
		j, _ := db.Job(t.Context(), id)
		if zh, ok := i18n.Lookup("zh", j.Error); j.State != store.JobFailed || !ok || !strings.Contains(zh, "中断") || !strings.Contains(j.ErrorDetail, "interrupted") {
			t.Errorf("job %d after Recover: %+v", id, j)
		}
	}
	if p.opened != 0 {
		t.Fatal("Recover touched the printer")
	}
	if err := q.Cancel(t.Context(), queued.ID, "王芳"); err != nil {
		t.Fatal(err)
	}
	if j, _ := db.Job(t.Context(), queued.ID); j.State != store.JobCancelled {
		t.Fatalf("cancelled job: %+v", j)
	}
	if _, err := q.Retry(t.Context(), queued.ID, "王芳"); !errors.Is(err, ErrNotRetryable) {
		t.Fatalf("retry of a cancelled job: %v", err)
	}
}

func TestQueueUnpluggedThenConcurrentRetries(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "shipdesk.db"))
	defer db.Close()
	p := &scriptedPrinter{status: Unknown, failErr: fmt.Errorf("send job over USB: %w: libusb: no device", ErrDisconnected)}
	q := NewQueue(db, p.open)
	j, err := q.Submit(t.Context(), newJob("^XA^XZ"))
	if !errors.Is(err, ErrDisconnected) || j.State != store.JobFailed {
		t.Fatalf("unplugged: %+v, %v", j, err)
	}
	p.mu.Lock()
	p.failErr = nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := q.Retry(t.Context(), j.ID, "李明")
			results <- err
		})
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrNotRetryable):
			t.Errorf("retry: %v", err)
		}
	}
	if ok != 1 || len(p.printed) != 1 {
		t.Fatalf("%d retries succeeded and %d jobs printed, want 1 and 1", ok, len(p.printed))
	}
}

func TestQueueRejectsBadJobs(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "shipdesk.db"))
	defer db.Close()
	q := NewQueue(db, nil)
	if _, err := q.Submit(t.Context(), store.PrintJob{PrinterURI: "tcp://x"}); err == nil {
		t.Error("empty job accepted")
	}
	if _, err := q.Submit(t.Context(), store.PrintJob{PrinterURI: "lpt1", Data: []byte("x")}); !errors.Is(err, ErrBadURI) {
		t.Errorf("bad URI: %v", err)
	}
	if jobs, _ := db.Jobs(t.Context(), store.JobFilter{}); len(jobs) != 0 {
		t.Errorf("rejected jobs were stored: %+v", jobs)
	}
}

func TestQueueAsksInTheJobsLanguage(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "shipdesk.db"))
	defer db.Close()
	for _, tt := range []struct{ data, query string }{
		{"^XA^FO10,10^GB100,3,3^FS^XZ", "~HS"},
		{"SIZE 76 mm,130 mm\r\nCLS\r\nPRINT 1\r\n", "\x1b!?"},
	} {
		got := make(chan []byte, 4)
		addr := fakeNetPrinter(t, func(c *net.TCPConn) {
			var b bytes.Buffer
			b.ReadFrom(c)
			got <- b.Bytes()
		})
		job := newJob(tt.data)
		job.PrinterURI = "tcp://" + addr
		if _, err := NewQueue(db, nil).Submit(t.Context(), job); err != nil {
			t.Fatal(err)
		}
		if q := <-got; string(q) != tt.query {
			t.Errorf("job %q: status asked with %q, want %q", tt.data[:3], q, tt.query)
		}
		if b := <-got; string(b) != tt.data {
			t.Errorf("job %q: printer got %q", tt.data[:3], b)
		}
	}
}
