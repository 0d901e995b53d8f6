// Command pgcluster starts and stops the private PostgreSQL server `make
// test` runs the tests against (see package pgtest):
//
//	pgcluster start PARENT   create and start a cluster in a new folder under PARENT; print its admin DSN
//	pgcluster stop DSN       stop the cluster started with that DSN and delete its folder
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"shipdesk/store/postgres/pgtest"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: pgcluster start PARENT | stop DSN")
		os.Exit(2)
	}
	ctx := context.Background()
	switch os.Args[1] {
	case "start":
		c, err := pgtest.StartCluster(ctx, os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		// The folder travels in the DSN's fragment-free query so stop finds it.
		u, _ := url.Parse(c.AdminDSN())
		q := u.Query()
		q.Set("application_name", "shipdesk-test")
		u.RawQuery = q.Encode()
		fmt.Printf("%s#%s\n", u, c.Dir)
	case "stop":
		u, err := url.Parse(os.Args[2])
		if err != nil || u.Fragment == "" {
			fmt.Fprintln(os.Stderr, "pgcluster stop: not a DSN printed by pgcluster start")
			os.Exit(2)
		}
		port, _ := strconv.Atoi(u.Port())
		c := pgtest.Attach(filepath.Clean(u.Fragment), port)
		if err := c.Remove(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: pgcluster start PARENT | stop DSN")
		os.Exit(2)
	}
}
