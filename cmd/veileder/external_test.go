package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/veileder/veileder/booking"
)

// The external-calendar commands, one after another on one SQLite
// database, against a feed served over HTTP on the loopback address.
func TestExternalCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	feed, err := os.ReadFile("../../external/testdata/outlook.ics")
	if err != nil {
		t.Fatal(err)
	}
	var broken atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write(feed)
	}))
	defer srv.Close()
	const secret = "/owa/calendar/0a1b2c3d/4e5f6a7b8c9d/calendar.ics"
	errAny := errors.New("any error")
	steps := []struct {
		args    []string
		before  func()
		want    string
		wantErr error
	}{
		{args: []string{"add", "ola", srv.URL + secret}, wantErr: booking.ErrNotFound},
		{args: []string{"add", "ola", "https://127.0.0.1:1/x.ics"}, wantErr: errAny},
		{args: []string{"add", "ola", "not a link"}, wantErr: booking.ErrInvalid},
		// Without --external-allow-private a loopback feed is refused.
		{args: []string{"add", "ola", strings.Replace(srv.URL, "http://", "webcal://", 1) + secret}, wantErr: booking.ErrInvalid},
		{args: []string{"add", "ola", srv.URL + secret, "--name", "Outlook", "--external-allow-private"}, want: "added external calendar 1 for ola (http://127.0.0.1:"},
		{args: []string{"list"}, want: "Outlook"},
		{args: []string{"list", "ola"}, want: "ok"},
		{args: []string{"refresh", "ola", "--external-allow-private"}, want: "1 http://127.0.0.1:"},
		{args: []string{"refresh", "--external-allow-private"}, before: func() { broken.Store(true) }, want: "failed: the calendar server answered 503", wantErr: errAny},
		{args: []string{"list"}, want: "failing since"},
		{args: []string{"bookings-link", "ola"}, want: "/ics/bookings/"},
		{args: []string{"prefs", "ola", "--invites=true"}, want: "ola: invitations true, failing-calendar e-mail false"},
		{args: []string{"prefs", "ola", "--failing-mail=yes"}, wantErr: errAny},
		{args: []string{"remove", "ola", "2"}, wantErr: booking.ErrNotFound},
		{args: []string{"remove", "ola", "1"}, want: "removed external calendar 1 of ola"},
		{args: []string{"frobnicate"}, wantErr: errAny},
	}
	for i, st := range steps {
		if i == 1 {
			var out bytes.Buffer
			if err := userCommand(ctx, []string{"add", "--username", "ola", "--name", "Ola", "--email", "ola@uio.example", "--password", "long enough", "--data-dir", dir}, strings.NewReader(""), &out, &out); err != nil {
				t.Fatal(err)
			}
		}
		if st.before != nil {
			st.before()
		}
		var stdout, stderr bytes.Buffer
		err := externalCommand(ctx, append(st.args, "--data-dir", dir), &stdout, &stderr)
		switch {
		case st.wantErr == nil && err != nil:
			t.Errorf("%q: got error %v, want success", st.args, err)
		case st.wantErr == errAny && err == nil, st.wantErr != nil && st.wantErr != errAny && !errors.Is(err, st.wantErr):
			t.Errorf("%q: got error %v, want %v", st.args, err, st.wantErr)
		case !strings.Contains(stdout.String(), st.want):
			t.Errorf("%q: got output %q, want it to hold %q", st.args, stdout.String(), st.want)
		}
		// The link's secret part never shows, in output or errors.
		for _, s := range []string{stdout.String(), stderr.String(), errText(err)} {
			if strings.Contains(s, "4e5f6a7b8c9d") {
				t.Errorf("%q: the secret address shows: %q", st.args, s)
			}
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
