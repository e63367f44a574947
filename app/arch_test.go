package app_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestImportsPointInward checks the package graph STYLE.md asks for: the
// domain (booking) and the iCalendar helpers import none of ours; adapters
// import the domain, and each other only for caldav.ValidateObject, the
// one gate every calendar write passes.
func TestImportsPointInward(t *testing.T) {
	allowed := map[string][]string{
		"booking":         {},
		"i18n":            {},
		"recurrence":      {},
		"migrations":      {},
		"ops":             {},
		"caldav/calquery": {"recurrence"},
		"caldav":          {"booking", "caldav/calquery", "recurrence"},
		"scheduling":      {"booking", "caldav", "i18n", "recurrence"},
		"feeds":           {"booking", "caldav", "i18n", "recurrence"},
		"notify":          {"booking", "i18n", "recurrence"},
		"web":             {"booking", "i18n"},
		"store":           {"booking", "migrations"},
		"demo":            {"booking", "caldav", "recurrence", "store"},
	}
	for pkg, ok := range allowed {
		out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, "veileder/"+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, imp := range strings.Fields(string(out)) {
			own, found := strings.CutPrefix(imp, "veileder/")
			if !found {
				continue
			}
			if !slices.Contains(ok, own) {
				t.Errorf("%s imports %s; allowed: %v", pkg, own, ok)
			}
		}
	}
}
