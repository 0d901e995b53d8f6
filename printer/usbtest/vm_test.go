//go:build linux

package usbtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// guestCases are the tests of package guest the host expects to see pass,
// one per case of the issue, in the order the guest runs them.
var guestCases = []string{
	"TestDiscovery",
	"TestPrintFullLabel",
	"TestStatus",
	"TestUnplugMidJob",
	"TestUsblpDetached",
}

// kernelModules are the modules the guest loads at boot, with everything
// they depend on. usblp is not among them: TestUsblpDetached loads it itself
// so that the earlier cases run without a kernel driver bound.
var kernelModules = []string{"configfs", "usbcore", "udc-core", "libcomposite", "dummy_hcd", "usb_f_printer"}

// vmEnv is what the host needs to build and boot the guest.
type vmEnv struct {
	qemu    string
	kernel  string // vmlinuz
	modDir  string // /lib/modules/<version>
	busybox string // a static busybox
}

// findVMEnv locates qemu, a kernel with its modules, and a static busybox.
// Missing parts skip the test with a message naming them, unless
// SHIPDESK_REQUIRE_USBTEST=1 (set by `make test-usb`) makes it a failure.
func findVMEnv(t *testing.T) vmEnv {
	t.Helper()
	var missing []string
	var env vmEnv
	if runtime.GOARCH != "amd64" {
		missing = append(missing, "an amd64 host")
	}
	var err error
	if env.qemu, err = exec.LookPath("qemu-system-x86_64"); err != nil {
		missing = append(missing, "qemu-system-x86_64 (apt-get install qemu-system-x86)")
	}
	kernels, _ := filepath.Glob("/boot/vmlinuz-*")
	sort.Strings(kernels)
	for i := len(kernels) - 1; i >= 0; i-- {
		ver := strings.TrimPrefix(filepath.Base(kernels[i]), "vmlinuz-")
		dir := filepath.Join("/lib/modules", ver)
		if _, err := os.Stat(filepath.Join(dir, "modules.dep")); err == nil {
			env.kernel, env.modDir = kernels[i], dir
			break
		}
	}
	if env.kernel == "" {
		missing = append(missing, "a kernel with modules (apt-get install linux-image-amd64)")
	} else if f, err := os.Open(env.kernel); err != nil {
		missing = append(missing, fmt.Sprintf("a readable kernel (%v)", err))
	} else {
		f.Close()
	}
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if isStatic(p) {
			env.busybox = p
			break
		}
	}
	if env.busybox == "" {
		missing = append(missing, "a static busybox (apt-get install busybox-static)")
	}
	if len(missing) > 0 {
		msg := "USB gadget test skipped: missing " + strings.Join(missing, ", ") + "; run `make test-usb` to install them"
		if os.Getenv("SHIPDESK_REQUIRE_USBTEST") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return env
}

// isStatic reports whether the file at p is an executable with no dynamic
// loader, judged by ldd.
func isStatic(p string) bool {
	if _, err := os.Stat(p); err != nil {
		return false
	}
	out, _ := exec.Command("ldd", p).CombinedOutput()
	return bytes.Contains(out, []byte("not a dynamic executable")) || bytes.Contains(out, []byte("statically linked"))
}

func TestUSBPrinterGadget(t *testing.T) {
	if testing.Short() {
		t.Skip("USB gadget test skipped in -short mode")
	}
	env := findVMEnv(t)
	work := t.TempDir()

	guest := filepath.Join(work, "guest.test")
	build := exec.Command("go", "test", "-c", "-tags", "usbguest", "-o", guest, "shipdesk/printer/usbtest/guest")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the guest test binary: %v\n%s", err, out)
	}

	initrd := filepath.Join(work, "initramfs.cpio")
	if err := buildInitramfs(initrd, env, guest); err != nil {
		t.Fatalf("assemble the initramfs: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	console, err := bootVM(ctx, env, initrd)
	if p := os.Getenv("SHIPDESK_USBTEST_CONSOLE"); p != "" {
		_ = os.WriteFile(p, console, 0o644)
	}
	if err != nil {
		t.Fatalf("boot the guest: %v\nconsole:\n%s", err, tail(console, 4000))
	}
	res := parseGuestOutput(console)
	if !res.started {
		t.Fatalf("the guest never started its tests; console:\n%s", tail(console, 6000))
	}
	for _, name := range guestCases {
		t.Run(strings.TrimPrefix(name, "Test"), func(t *testing.T) {
			out := res.output[name]
			switch res.result[name] {
			case "PASS":
				t.Logf("guest output:\n%s", out)
			case "SKIP":
				t.Fatalf("the guest skipped this case; a skip does not prove the USB path:\n%s", out)
			case "FAIL":
				t.Fatalf("failed in the guest:\n%s", out)
			default:
				t.Fatalf("no result from the guest (it may have crashed or timed out); console tail:\n%s", tail(console, 4000))
			}
		})
	}
	if res.exit != "0" {
		t.Errorf("guest test binary exited with %q", res.exit)
	}
}

// guestResult is what the console says about the guest's tests.
type guestResult struct {
	started bool
	exit    string
	result  map[string]string // test name -> PASS | FAIL | SKIP
	output  map[string]string // test name -> its lines
}

var (
	runLine    = regexp.MustCompile(`^=== (RUN|CONT|PAUSE)\s+(\S+)`)
	resultLine = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): (\S+)`)
	exitLine   = regexp.MustCompile(`USBTEST-EXIT (\d+)`)
)

// parseGuestOutput reads `go test -v` output from the console, which the
// kernel may interleave with its own messages.
func parseGuestOutput(console []byte) guestResult {
	r := guestResult{result: map[string]string{}, output: map[string]string{}}
	var current string
	sc := bufio.NewScanner(bytes.NewReader(console))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.Contains(line, "USBTEST-BEGIN") {
			r.started = true
		}
		if m := exitLine.FindStringSubmatch(line); m != nil {
			r.exit = m[1]
		}
		if m := runLine.FindStringSubmatch(line); m != nil {
			current = topLevel(m[2])
			continue
		}
		if m := resultLine.FindStringSubmatch(line); m != nil {
			if !strings.Contains(m[2], "/") {
				r.result[m[2]] = m[1]
			}
			continue
		}
		if current != "" {
			r.output[current] += line + "\n"
		}
	}
	return r
}

func topLevel(name string) string {
	top, _, _ := strings.Cut(name, "/")
	return top
}

// bootVM runs the guest to completion and returns everything it printed on
// its serial console.
func bootVM(ctx context.Context, env vmEnv, initrd string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, env.qemu,
		"-accel", "tcg", "-m", "768", "-smp", "1", "-nographic", "-no-reboot",
		"-kernel", env.kernel, "-initrd", initrd,
		"-append", "console=ttyS0 panic=-1 quiet loglevel=4",
	)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if ctx.Err() != nil {
		return out.Bytes(), fmt.Errorf("the virtual machine did not finish in time: %w", ctx.Err())
	}
	if err != nil {
		return out.Bytes(), fmt.Errorf("qemu: %w", err)
	}
	return out.Bytes(), nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// moduleClosure returns the module files (paths relative to modDir) needed
// to load names, dependencies first, read from modules.dep.
func moduleClosure(modDir string, names []string) ([]string, error) {
	dep, err := os.ReadFile(filepath.Join(modDir, "modules.dep"))
	if err != nil {
		return nil, err
	}
	deps := map[string][]string{} // module path -> its dependencies
	byName := map[string]string{} // "usb_f_printer" -> path
	for _, line := range strings.Split(string(dep), "\n") {
		mod, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		deps[mod] = strings.Fields(rest)
		byName[modName(mod)] = mod
	}
	var order []string
	seen := map[string]bool{}
	var visit func(p string)
	visit = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		// modules.dep lists the full closure, nearest first; load in reverse.
		for i := len(deps[p]) - 1; i >= 0; i-- {
			visit(deps[p][i])
		}
		order = append(order, p)
	}
	for _, n := range names {
		p, ok := byName[strings.ReplaceAll(n, "-", "_")]
		if !ok {
			return nil, fmt.Errorf("module %s is not in %s", n, modDir)
		}
		visit(p)
	}
	return order, nil
}

func modName(path string) string {
	base := filepath.Base(path)
	base = base[:strings.Index(base, ".ko")]
	return strings.ReplaceAll(base, "-", "_")
}

// initScript is the guest's PID 1: mount the pseudo file systems, load the
// modules, run the cases, power off.
const initScript = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
for m in $(cat /modules/order); do insmod /modules/$m || echo "insmod $m failed"; done
mount -t configfs none /sys/kernel/config
echo USBTEST-BEGIN
cd /tmp
SHIPDESK_USBLP_MODULE=/modules/usblp.ko /guest.test -test.v -test.timeout 100s -test.count 1
echo "USBTEST-EXIT $?"
poweroff -f
`

// buildInitramfs writes a newc cpio archive holding busybox, the modules,
// the guest test binary and the shared libraries it links.
func buildInitramfs(path string, env vmEnv, guest string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := newCpioWriter(f)
	for _, d := range []string{"bin", "dev", "proc", "sys", "tmp", "modules", "lib", "lib64", "usr", "usr/lib", "lib/x86_64-linux-gnu", "etc"} {
		if err := w.dir(d); err != nil {
			return err
		}
	}
	if err := w.fileFrom("bin/busybox", env.busybox, 0o755); err != nil {
		return err
	}
	if err := w.file("init", []byte(initScript), 0o755); err != nil {
		return err
	}
	mods, err := moduleClosure(env.modDir, kernelModules)
	if err != nil {
		return err
	}
	var order []string
	for _, m := range mods {
		name := filepath.Base(m)
		order = append(order, name)
		if err := w.fileFrom("modules/"+name, filepath.Join(env.modDir, m), 0o644); err != nil {
			return err
		}
	}
	lp, err := moduleClosure(env.modDir, []string{"usblp"})
	if err != nil {
		return err
	}
	if err := w.fileFrom("modules/usblp.ko", filepath.Join(env.modDir, lp[len(lp)-1]), 0o644); err != nil {
		return err
	}
	if err := w.file("modules/order", []byte(strings.Join(order, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	if err := w.fileFrom("guest.test", guest, 0o755); err != nil {
		return err
	}
	libs, err := sharedLibs(guest)
	if err != nil {
		return err
	}
	for _, l := range libs {
		rel := strings.TrimPrefix(l, "/")
		if err := w.mkdirAll(filepath.Dir(rel)); err != nil {
			return err
		}
		if err := w.fileFrom(rel, l, 0o755); err != nil {
			return err
		}
	}
	return w.close()
}

// sharedLibs lists the absolute paths of the libraries ldd says bin needs,
// the dynamic loader included.
func sharedLibs(bin string) ([]string, error) {
	out, err := exec.Command("ldd", bin).Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %w", bin, err)
	}
	var libs []string
	for _, line := range strings.Split(string(out), "\n") {
		for _, field := range strings.Fields(line) {
			if strings.HasPrefix(field, "/") {
				libs = append(libs, field)
			}
		}
	}
	if len(libs) == 0 {
		return nil, errors.New("ldd found no libraries; the guest binary must be linked with libusb")
	}
	return libs, nil
}
