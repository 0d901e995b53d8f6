// Package pgtest runs a private PostgreSQL server for tests: initdb and
// pg_ctl in a temporary folder, a free loopback port and the Unix socket in
// that folder; no system service, no Docker. `make test` starts one server
// for the whole run and names it in SHIPDESK_TEST_PG; a test binary run
// without it (`go test ./store/...`) starts its own in TestMain through
// Main. As root (CI) the server runs as the unprivileged user "nobody",
// since initdb and postgres refuse to run as root.
//
// Nothing here skips: a machine without PostgreSQL fails the tests with a
// message saying what to install.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable holding the admin connection
// string of a running test server (a superuser, database "postgres").
const EnvDSN = "SHIPDESK_TEST_PG"

// Cluster is one private server. Its methods are not safe for concurrent
// use with each other; Stop it when done (the starter owns it).
type Cluster struct {
	Dir  string // data folder, log and socket
	Port int
	bin  string
	cred *credential
}

// BinDir finds the folder with initdb and pg_ctl: PATH, else Debian's
// /usr/lib/postgresql/N/bin (newest N).
func BinDir() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "initdb")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestN := "", -1
	for _, d := range dirs {
		n, err := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil && n > bestN {
			best, bestN = d, n
		}
	}
	if best == "" {
		return "", errors.New("pgtest: PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql package (make test does: apt-get install postgresql)")
	}
	return best, nil
}

// unprivileged returns the credential to run the server with when we are
// root, and chowns dir to it.
func unprivileged(dir string) (*credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	name := "nobody"
	if v := os.Getenv("SHIPDESK_TEST_PG_USER"); v != "" {
		name = v
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root and user %q for the server is missing: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	return newCredential(uint32(uid), uint32(gid)), nil
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	if c.cred != nil {
		setCredential(cmd, c.cred)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgtest: %s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// StartCluster creates a cluster in a new folder under parent ("" = the
// system temp folder) and starts it on a free port.
func StartCluster(ctx context.Context, parent string) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(parent, "shipdesk-pg-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	c := &Cluster{Dir: dir, bin: bin}
	if c.cred, err = unprivileged(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.run(ctx, "initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-N"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.Start(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start starts the server (again, after Stop) on its port, or a free one
// the first time. fsync is off (tests do not survive the machine crashing,
// only the server), but commits are synchronous: a commit acknowledged to a
// client is in the WAL before Stop's immediate shutdown, as the outage
// tests need.
func (c *Cluster) Start(ctx context.Context) error {
	if c.Port == 0 {
		p, err := freePort()
		if err != nil {
			return fmt.Errorf("pgtest: %w", err)
		}
		c.Port = p
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB", c.Port, c.Dir)
	return c.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", filepath.Join(c.Dir, "data"), "-l", filepath.Join(c.Dir, "server.log"), "-o", opts)
}

// Stop stops the server immediately (clients see their connections
// dropped), keeping the data folder for Start.
func (c *Cluster) Stop(ctx context.Context) error {
	return c.run(ctx, "pg_ctl", "stop", "-w", "-m", "immediate", "-D", filepath.Join(c.Dir, "data"))
}

// Remove stops the server and deletes its folder.
func (c *Cluster) Remove(ctx context.Context) error {
	err := c.Stop(ctx)
	if rerr := os.RemoveAll(c.Dir); err == nil {
		err = rerr
	}
	return err
}

// AdminDSN connects over TCP to database "postgres" as the superuser.
func (c *Cluster) AdminDSN() string { return c.DSN("postgres") }

// DSN connects over TCP to database db as the superuser.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// shared is the cluster AdminDSN starts when SHIPDESK_TEST_PG is unset.
var shared struct {
	once sync.Once
	c    *Cluster
	err  error
}

// AdminDSN returns the admin connection string of the test server: the
// one in SHIPDESK_TEST_PG, else a private cluster this process starts (and
// Main stops).
func AdminDSN() (string, error) {
	if v := os.Getenv(EnvDSN); v != "" {
		if i := strings.IndexByte(v, '#'); i >= 0 { // the folder, for pgcluster stop
			v = v[:i]
		}
		return v, nil
	}
	shared.once.Do(func() {
		shared.c, shared.err = StartCluster(context.Background(), "")
	})
	if shared.err != nil {
		return "", shared.err
	}
	return shared.c.AdminDSN(), nil
}

// Main runs the tests and stops the cluster AdminDSN may have started:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if shared.c != nil {
		if err := shared.c.Remove(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	return code
}

// NewDatabase creates an empty database on the test server for t, drops it
// when t ends, and returns its connection string.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin, err := AdminDSN()
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := exec1(ctx, admin, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := exec1(ctx, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return WithDatabase(admin, name)
}

// WithDatabase returns dsn with its database replaced by db.
func WithDatabase(dsn, db string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + db
	return u.String()
}

func exec1(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// Attach returns the cluster in dir (made by StartCluster) on port, to stop
// it from another process.
func Attach(dir string, port int) *Cluster {
	c := &Cluster{Dir: dir, Port: port}
	c.bin, _ = BinDir()
	if os.Geteuid() == 0 {
		if st, err := os.Stat(dir); err == nil {
			c.cred = ownerCredential(st)
		}
	}
	return c
}
