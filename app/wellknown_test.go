package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/veileder/veileder/store/storetest"
)

// TestPythonCalDAVWellKnownDiscovery: python3-caldav given only
// /.well-known/caldav finds the principal and its calendars. Its HTTP
// library follows the 301 and drops the PROPFIND body, so this is an
// allprop of the root (RFC 4918 §9.1), which must name the
// current-user-principal.
func TestPythonCalDAVWellKnownDiscovery(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(systemPython); err != nil {
		skipOrFail(t, "%s is missing (%v); install the Debian package python3-caldav", systemPython, err)
	}
	if _, errOut, err := tryRun(t, command{name: systemPython, args: []string{"-c", "import caldav"}, env: clientEnv(t)}); err != nil {
		skipOrFail(t, "python3-caldav is not importable (%v): %s", err, errOut)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "clients", "python_caldav_wellknown.py"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dialect := range storetest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, dialect)
			out, _ := run(t, command{name: systemPython, args: []string{script, srv.url, clientUser, clientPassword}, env: clientEnv(t), dir: t.TempDir()})
			var got struct {
				Principal string   `json:"principal"`
				Calendars []string `json:"calendars"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("script output is not JSON: %v\n%s", err, out)
			}
			if got, want := unescapeURL(t, got.Principal), srv.url+"/dav/principals/"+clientUser+"/"; got != want {
				t.Fatalf("principal: got %q, want %q", got, want)
			}
			home := srv.url + "/dav/calendars/" + clientUser + "/"
			for _, slug := range []string{"availability", "bookings", "personal"} {
				want := home + slug + "/"
				found := slices.ContainsFunc(got.Calendars, func(c string) bool { return unescapeURL(t, c) == want })
				if !found {
					t.Fatalf("calendars: got %q, want one of them %q", got.Calendars, want)
				}
			}
		})
	}
}
