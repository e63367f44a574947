package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/caldav"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// itipScript reads an iMIP calendar part with python3-icalendar: the
// method and the event's UID, SEQUENCE, STATUS and attendees.
const itipScript = `
import sys, json
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
evs = list(cal.walk('VEVENT'))
assert len(evs) == 1, len(evs)
ev = evs[0]
att = ev.get('ATTENDEE')
if not isinstance(att, list):
    att = [att]
print(json.dumps({
  "method": str(cal.get('METHOD', '')), "uid": str(ev.get('UID')),
  "sequence": int(ev.get('SEQUENCE', 0)), "status": str(ev.get('STATUS', '')),
  "summary": str(ev.get('SUMMARY', '')), "attendees": [str(a) for a in att],
}))
`

type itipInfo struct {
	Method    string   `json:"method"`
	UID       string   `json:"uid"`
	Sequence  int      `json:"sequence"`
	Status    string   `json:"status"`
	Summary   string   `json:"summary"`
	Attendees []string `json:"attendees"`
}

func parseITIP(t *testing.T, data []byte) itipInfo {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import icalendar").Run(); err != nil {
		msg := "python3-icalendar is not installed (apt-get install python3-icalendar): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command(python, "-c", itipScript)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("icalendar does not read the iTIP message: %v\n%s\n%s", err, stderr.Bytes(), data)
	}
	var info itipInfo
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatal(err)
	}
	return info
}

// TestIMIPOverSMTP: a librarian's event with an attendee outside Veileder,
// stored over CalDAV, reaches the attendee over real SMTP as one iMIP
// METHOD:REQUEST (RFC 6047); deleting it sends one METHOD:CANCEL with a
// higher SEQUENCE. Python's icalendar reads both.
func TestIMIPOverSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.CreateUser(ctx, booking.User{Username: "alice", DisplayName: "Alice Librarian", Email: "alice@ub.example.org", Role: booking.RoleLibrarian}, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		dav := httptest.NewServer(caldav.NewHandler(caldav.Config{Store: s, Prefix: "/dav"}))
		t.Cleanup(dav.Close)
		put := func(method, body string) {
			t.Helper()
			req, _ := http.NewRequest(method, dav.URL+"/dav/calendars/alice/personal/m.ics", strings.NewReader(body))
			req.SetBasicAuth("alice", "correct horse battery")
			req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 300 {
				t.Fatalf("%s: got %d", method, resp.StatusCode)
			}
		}
		srv := startSMTP(t, serverOptions{})
		sender := newSender(t, s, srv, newClock(time.Now().Add(time.Second)), nil)

		put(http.MethodPut, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:imip-1\r\nDTSTAMP:20261101T120000Z\r\n"+
			"DTSTART:20261104T090000Z\r\nDTEND:20261104T100000Z\r\nSUMMARY:Research data meeting\r\n"+
			"ORGANIZER;CN=Alice Librarian:mailto:alice@ub.example.org\r\nATTENDEE;CN=Guest;RSVP=TRUE:mailto:guest@uni.example.net\r\n"+
			"END:VEVENT\r\nEND:VCALENDAR\r\n")
		drain(t, sender)
		put(http.MethodDelete, "")
		drain(t, sender)

		msgs := srv.Messages()
		if len(msgs) != 2 {
			t.Fatalf("got %d messages, want 2 (the invitation, the cancellation)", len(msgs))
		}
		tests := []struct {
			method, subject string
			sequence        int
			status          string
		}{
			{"REQUEST", "Invitasjon: Research data meeting", 0, ""},
			{"CANCEL", "Avlyst: Research data meeting", 1, "CANCELLED"},
		}
		for i, tc := range tests {
			m := msgs[i]
			if got, want := strings.Join(m.To, ","), "guest@uni.example.net"; got != want {
				t.Fatalf("%s: got recipient %q, want %q", tc.method, got, want)
			}
			p := parseMail(t, m.Data)
			if !strings.HasPrefix(p.Subject, tc.subject) {
				t.Fatalf("%s: got subject %q, want it to start %q", tc.method, p.Subject, tc.subject)
			}
			if got, want := p.Header.Get("Reply-To"), "alice@ub.example.org"; !strings.Contains(got, want) {
				t.Fatalf("%s: got Reply-To %q, want the organizer %q", tc.method, got, want)
			}
			if !strings.Contains(p.InlineType, "method="+tc.method) {
				t.Fatalf("%s: got calendar part %q, want method=%s", tc.method, p.InlineType, tc.method)
			}
			got := parseITIP(t, p.InlineCal)
			if got.Method != tc.method || got.UID != "imip-1" || got.Sequence != tc.sequence || got.Status != tc.status {
				t.Fatalf("%s: got %+v, want method %s, UID imip-1, SEQUENCE %d, STATUS %q", tc.method, got, tc.method, tc.sequence, tc.status)
			}
			if len(got.Attendees) != 1 || got.Attendees[0] != "mailto:guest@uni.example.net" {
				t.Fatalf("%s: got attendees %q", tc.method, got.Attendees)
			}
			if !bytes.Equal(p.AttachedCal, p.InlineCal) {
				t.Fatalf("%s: the attachment differs from the inline part", tc.method)
			}
		}
	})
}
