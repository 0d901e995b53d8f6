package kuaidi100_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoStoreBelowTheService keeps the wire client, the sandbox and the
// label encoders free of the store: they speak their own types, converted
// at the service edge (package tracking for traces), so none of them pulls
// in bbolt. It asks `go list` for each package's dependencies and names
// the import chain that leads to the store when one does.
func TestNoStoreBelowTheService(t *testing.T) {
	roots := []string{"shipdesk/kuaidi100", "shipdesk/kuaidi100/sandbox",
		"shipdesk/printer/label", "shipdesk/printer/tspl", "shipdesk/printer/zpl"}
	imports := goListImports(t, roots)
	for _, root := range roots {
		if _, ok := imports[root]; !ok {
			t.Errorf("go list did not list %s", root)
			continue
		}
		if chain := pathTo(imports, root, forbidden); chain != nil {
			t.Errorf("%s depends on %s: %s", root, chain[len(chain)-1], strings.Join(chain, " -> "))
		}
	}
}

// forbidden reports whether a package may not sit below the service: the
// store, its engines and bbolt.
func forbidden(pkg string) bool {
	return pkg == "shipdesk/store" || strings.HasPrefix(pkg, "shipdesk/store/") ||
		pkg == "go.etcd.io/bbolt" || strings.HasPrefix(pkg, "go.etcd.io/bbolt/")
}

// goListImports returns every package the roots depend on (themselves
// included) with its direct imports.
func goListImports(t *testing.T, roots []string) map[string][]string {
	t.Helper()
	args := append([]string{"list", "-deps", "-f", `{{.ImportPath}}:{{join .Imports " "}}`}, roots...)
	cmd := exec.CommandContext(t.Context(), goCommand(t), args...)
	cmd.Stderr = &strings.Builder{}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, cmd.Stderr)
	}
	imports := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		pkg, deps, _ := strings.Cut(strings.TrimSpace(line), ":")
		imports[pkg] = strings.Fields(deps)
	}
	return imports
}

// pathTo is the shortest import chain from root to a package bad names,
// or nil.
func pathTo(imports map[string][]string, root string, bad func(string) bool) []string {
	prev := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if bad(pkg) {
			var chain []string
			for p := pkg; p != ""; p = prev[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		for _, dep := range imports[pkg] {
			if _, seen := prev[dep]; !seen {
				prev[dep] = pkg
				queue = append(queue, dep)
			}
		}
	}
	return nil
}

// goCommand finds the go command that runs the tests.
func goCommand(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	t.Fatal("no go command to list the dependencies with: put it on PATH or set GOROOT")
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
