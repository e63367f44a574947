package app_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The package graph STYLE.md asks for, in three rings. Every package of
// the module is in exactly one, so that a new package must be placed.
var (
	// core packages import none of ours: booking is the domain,
	// recurrence reads iCalendar, migrations holds the schema, ops the
	// metrics.
	corePackages = []string{"booking", "i18n", "recurrence", "migrations", "ops"}
	// adapters import core packages and their own subpackages, never
	// each other: where one needs another, the consumer declares an
	// interface and the wiring passes the implementation in.
	adapterPackages = []string{"caldav", "caldav/calquery", "scheduling", "feeds", "notify", "external", "web", "store", "signin"}
	// wiring puts the adapters together and may import any of ours
	// (store/storetest and the browser tests in e2e do so for tests).
	wiringPackages = []string{"app", "cmd/veileder", "cmd/davbench", "demo", "store/storetest", "signin/signintest", "e2e"}
)

// ownImports lists the module's packages, each with the module's packages
// it imports (outside its tests), without the module path prefix.
func ownImports(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "github.com/veileder/veileder/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	graph := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg := strings.TrimPrefix(fields[0], "github.com/veileder/veileder/")
		graph[pkg] = []string{}
		for _, imp := range fields[1:] {
			if own, ok := strings.CutPrefix(imp, "github.com/veileder/veileder/"); ok {
				graph[pkg] = append(graph[pkg], own)
			}
		}
	}
	return graph
}

// TestImportsPointInward fails for any arrow that points outward or
// sideways, with no exceptions.
func TestImportsPointInward(t *testing.T) {
	graph := ownImports(t)
	if len(graph) == 0 {
		t.Fatal("go list found no packages")
	}
	for pkg, imports := range graph {
		core, adapter, wiring := slices.Contains(corePackages, pkg), slices.Contains(adapterPackages, pkg), slices.Contains(wiringPackages, pkg)
		switch {
		case !core && !adapter && !wiring:
			t.Errorf("%s is in no ring: add it to corePackages, adapterPackages or wiringPackages", pkg)
		case wiring:
		case core:
			for _, imp := range imports {
				t.Errorf("%s imports %s: a core package imports none of ours", pkg, imp)
			}
		case adapter:
			for _, imp := range imports {
				if !slices.Contains(corePackages, imp) && !strings.HasPrefix(imp, pkg+"/") {
					t.Errorf("%s imports %s: an adapter imports core packages (%v) and its own subpackages only", pkg, imp, corePackages)
				}
			}
		}
	}
	for _, pkg := range slices.Concat(corePackages, adapterPackages, wiringPackages) {
		if _, ok := graph[pkg]; !ok {
			t.Errorf("%s is listed in a ring but is not a package of the module", pkg)
		}
	}
}

// TestImportsBookingStandardOnly: the domain depends on the standard
// library alone (so on no iCalendar, SQL or HTTP library), and imports
// nothing in it that does I/O.
func TestImportsBookingStandardOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}{{end}}`, "github.com/veileder/veileder/booking").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	if got, want := strings.Fields(string(out)), []string{"github.com/veileder/veileder/booking"}; !slices.Equal(got, want) {
		t.Errorf("booking's dependencies outside the standard library: got %v, want only %v", got, want)
	}
	out, err = exec.Command("go", "list", "-f", `{{join .Imports " "}}`, "github.com/veileder/veileder/booking").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// net/mail is the one package of net/ allowed: booking parses student
	// addresses with it (RFC 5322), and it does no I/O.
	forbidden := func(imp string) bool {
		switch {
		case imp == "net/mail":
			return false
		case imp == "net", strings.HasPrefix(imp, "net/"),
			strings.HasPrefix(imp, "database/"),
			imp == "os", strings.HasPrefix(imp, "os/"),
			imp == "io/fs", imp == "syscall", imp == "log", strings.HasPrefix(imp, "log/"),
			imp == "plugin", imp == "unsafe":
			return true
		}
		return false
	}
	imports := strings.Fields(string(out))
	if len(imports) == 0 {
		t.Fatal("go list found no imports of booking: the check would prove nothing")
	}
	for _, imp := range imports {
		if forbidden(imp) {
			t.Errorf("booking imports %s, which does I/O; the domain takes what it needs as arguments", imp)
		}
	}
}
