package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Child-process helpers. They do nothing unless the parent test sets
// SHIPDESK_STORE_HELPER, and report on stdout.
const helperEnv = "SHIPDESK_STORE_HELPER"

// TestHelperWriter writes shipments (with an update and events each) to
// the database named by SHIPDESK_STORE_DB with fsync on, printing each
// waybill after its writes returned success, until it is killed.
func TestHelperWriter(t *testing.T) {
	if os.Getenv(helperEnv) != "writer" {
		t.Skip("child process helper")
	}
	ctx := t.Context()
	db, err := Open(os.Getenv("SHIPDESK_STORE_DB"), Options{})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(3)
	}
	for i := range 1_000_000 {
		wb := fmt.Sprintf("CRASH%07d", i)
		s := testShipment(wb)
		s.RecipientPhone = fmt.Sprintf("1370000%04d", i%10000)
		if err := db.CreateShipment(ctx, s); err != nil {
			fmt.Println("ERROR", err)
			os.Exit(3)
		}
		if _, err := db.AddEvents(ctx, wb, []TrackingEvent{{Time: time.Now(), Context: "快件已揽收", Milestone: MilestonePickedUp}}); err != nil {
			fmt.Println("ERROR", err)
			os.Exit(3)
		}
		if _, err := db.UpdateShipment(ctx, wb, func(s *Shipment) error { s.Milestone = MilestonePickedUp; s.EventCount = 1; return nil }); err != nil {
			fmt.Println("ERROR", err)
			os.Exit(3)
		}
		if _, err := fmt.Println(wb); err != nil {
			os.Exit(0) // the parent is gone
		}
	}
}

// TestHelperOpener tries to open SHIPDESK_STORE_DB and reports the result.
func TestHelperOpener(t *testing.T) {
	if os.Getenv(helperEnv) != "opener" {
		t.Skip("child process helper")
	}
	start := time.Now()
	db, err := Open(os.Getenv("SHIPDESK_STORE_DB"), Options{LockTimeout: 200 * time.Millisecond})
	if err == nil {
		db.Close()
		fmt.Println("OPENED")
		return
	}
	fmt.Printf("ALREADY=%v ELAPSED=%d MSG=%s\n", errors.Is(err, ErrAlreadyRunning), time.Since(start).Milliseconds(), err)
}

func helperCmd(t *testing.T, name, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+strings.ToLower(strings.TrimPrefix(name, "TestHelper")), "SHIPDESK_STORE_DB="+path)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestCrashKeepsAcknowledgedWrites kills a writing child with SIGKILL
// after it acknowledged some writes and checks that every acknowledged
// shipment survived and the file is consistent.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process that fsyncs")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := helperCmd(t, "TestHelperWriter", path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const killAfter = 60
	var acked []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "ERROR") {
			t.Fatalf("child: %s", line)
		}
		if !strings.HasPrefix(line, "CRASH") {
			continue // test framework output
		}
		acked = append(acked, line)
		if len(acked) == killAfter {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	cmd.Wait()
	if len(acked) < killAfter {
		t.Fatalf("child acknowledged only %d writes", len(acked))
	}
	t.Logf("child acknowledged %d writes before it died", len(acked))

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkAndClose(t, db) }) // bbolt check and counter recount
	ctx := t.Context()
	for _, wb := range acked {
		s, err := db.Shipment(ctx, wb)
		if err != nil {
			t.Errorf("acknowledged %s lost: %v", wb, err)
			continue
		}
		if s.Milestone != MilestonePickedUp {
			t.Errorf("acknowledged update of %s lost: %v", wb, s.Milestone)
		}
		if evs, err := db.Events(ctx, wb); err != nil || len(evs) != 1 {
			t.Errorf("events of %s = %v, %v", wb, evs, err)
		}
	}
}

// TestSecondOpenFromAnotherProcess checks that a second process gets
// ErrAlreadyRunning, naming the folder, after the lock timeout.
func TestSecondOpenFromAnotherProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("flock semantics differ")
	}
	db, _ := openTestStore(t)
	out, err := helperCmd(t, "TestHelperOpener", db.Path()).Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	line := ""
	for l := range strings.Lines(string(out)) {
		if strings.HasPrefix(l, "ALREADY=") || strings.HasPrefix(l, "OPENED") {
			line = strings.TrimSpace(l)
		}
	}
	if !strings.HasPrefix(line, "ALREADY=true ") {
		t.Fatalf("child said %q, want ErrAlreadyRunning", out)
	}
	want := fmt.Sprintf("Shipdesk is already running with this data folder (%s)", filepath.Dir(db.Path()))
	if !strings.Contains(line, want) {
		t.Errorf("message %q does not contain %q", line, want)
	}
	t.Logf("child: %s", line)
	var ms int
	fmt.Sscanf(line[strings.Index(line, "ELAPSED=")+8:], "%d", &ms)
	if ms > 3000 {
		t.Errorf("second open took %dms", ms)
	}
}
