package caldav

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestShortEmpty(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<D:prop><D:getetag></D:getetag></D:prop>`, `<D:prop><D:getetag/></D:prop>`},
		{`<C:comp name="VEVENT"></C:comp>`, `<C:comp name="VEVENT"/>`},
		{`<X:unknown xmlns:X="urn:x"></X:unknown>`, `<X:unknown xmlns:X="urn:x"/>`},
		{`<D:href>/a/</D:href><D:status>HTTP/1.1 200 OK</D:status>`, `<D:href>/a/</D:href><D:status>HTTP/1.1 200 OK</D:status>`},
		// A close that is not the element's own, and text that looks like
		// tags (escaped, as encoding/xml writes it), stay.
		{`<D:a><D:b></D:b></D:a>`, `<D:a><D:b/></D:a>`},
		{`<D:ab></D:a>`, `<D:ab></D:a>`},
		{`<D:x>&lt;D:y&gt;&lt;/D:y&gt;</D:x>`, `<D:x>&lt;D:y&gt;&lt;/D:y&gt;</D:x>`},
		// A stored dead property is given back as it was written.
		{`<C:t><transparent xmlns="urn:ietf:params:xml:ns:caldav"></transparent></C:t>`, `<C:t><transparent xmlns="urn:ietf:params:xml:ns:caldav"></transparent></C:t>`},
		{`<?xml version="1.0"?><D:m></D:m>`, `<?xml version="1.0"?><D:m/>`},
	}
	for _, tt := range tests {
		if got := string(shortEmpty([]byte(tt.in))); got != tt.want {
			t.Errorf("shortEmpty(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestMultistatusStreams(t *testing.T) {
	h := NewHandler(Config{})
	rec := httptest.NewRecorder()
	ms := h.newMultistatus(rec, httptest.NewRequest("PROPFIND", "/dav/", nil))
	if err := ms.add(response{href: "/dav/calendars/alice/personal/a%20b.ics", props: []prop{
		{name: dav("getetag"), value: `"1"`},
		{name: dav("resourcetype")},
		{name: cal("calendar-data"), value: "BEGIN:VCALENDAR\r\nSUMMARY:a < b & c\r\n"},
		{name: xml.Name{Space: "urn:x", Local: "unknown"}, status: http.StatusNotFound},
	}}); err != nil {
		t.Fatalf("add: %v", err)
	}
	// The first response is on its way before the document is closed.
	if got := rec.Body.String(); !strings.HasSuffix(got, "</D:response>") || !strings.Contains(got, "<D:multistatus ") {
		t.Fatalf("after one add the body is %q, want the root and the first response", got)
	}
	if got, want := rec.Code, http.StatusMultiStatus; got != want {
		t.Errorf("status %d, want %d", got, want)
	}
	if err := ms.add(response{href: "/dav/calendars/alice/personal/gone.ics", status: http.StatusNotFound}); err != nil {
		t.Fatalf("add: %v", err)
	}
	if err := ms.close("https://veileder.invalid/sync/1-2"); err != nil {
		t.Fatalf("close: %v", err)
	}
	want := `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" xmlns:ICAL="http://apple.com/ns/ical/">` +
		`<D:response><D:href>/dav/calendars/alice/personal/a%20b.ics</D:href>` +
		`<D:propstat><D:prop><D:getetag>&#34;1&#34;</D:getetag><D:resourcetype/>` +
		`<C:calendar-data>BEGIN:VCALENDAR&#xD;&#xA;SUMMARY:a &lt; b &amp; c&#xD;&#xA;</C:calendar-data></D:prop>` +
		`<D:status>HTTP/1.1 200 OK</D:status></D:propstat>` +
		`<D:propstat><D:prop><X:unknown xmlns:X="urn:x"/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>` +
		`<D:response><D:href>/dav/calendars/alice/personal/gone.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>` +
		`<D:sync-token>https://veileder.invalid/sync/1-2</D:sync-token></D:multistatus>` + "\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
	// And it is XML a client reads.
	var doc struct {
		Responses []struct {
			Href string `xml:"href"`
		} `xml:"DAV: response"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Responses) != 2 {
		t.Errorf("xml.Unmarshal: %d responses, %v; want 2, nil", len(doc.Responses), err)
	}
}

func TestMultistatusPropertyValues(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"text", "Blå & grønn", `<D:displayname>Blå &amp; grønn</D:displayname>`},
		{"empty text", "", `<D:displayname/>`},
		{"hrefs", hrefList{"mailto:alice@ub.example.org", "/dav/principals/alice/"}, `<D:displayname><D:href>mailto:alice@ub.example.org</D:href><D:href>/dav/principals/alice/</D:href></D:displayname>`},
		{"resourcetype", emptyChildren{dav("collection"), cal("calendar")}, `<D:displayname><D:collection/><C:calendar/></D:displayname>`},
		{"privileges", privilegeSet{dav("read"), cal("read-free-busy")}, `<D:displayname><D:privilege><D:read/></D:privilege><D:privilege><C:read-free-busy/></D:privilege></D:displayname>`},
		{"reports", reportSet{dav("sync-collection")}, `<D:displayname><D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report></D:displayname>`},
		{"comps", compSet{Comps: []compName{{Name: "VEVENT"}}}, `<D:displayname><C:comp name="VEVENT"/></D:displayname>`},
		{"raw", rawXML{Inner: `<opaque xmlns="urn:ietf:params:xml:ns:caldav"></opaque>`}, `<D:displayname><opaque xmlns="urn:ietf:params:xml:ns:caldav"></opaque></D:displayname>`},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		ms := NewHandler(Config{}).newMultistatus(rec, httptest.NewRequest("PROPFIND", "/dav/", nil))
		if err := ms.add(response{href: "/", props: []prop{{name: dav("displayname"), value: tt.value}}}); err != nil {
			t.Fatalf("%s: add: %v", tt.name, err)
		}
		if got := rec.Body.String(); !strings.Contains(got, "<D:prop>"+tt.want+"</D:prop>") {
			t.Errorf("%s: body %s lacks %s", tt.name, got, tt.want)
		}
	}
}

func TestMultistatusFail(t *testing.T) {
	cause := errors.New("store down")
	ms := NewHandler(Config{}).newMultistatus(httptest.NewRecorder(), httptest.NewRequest("PROPFIND", "/dav/", nil))
	if err := ms.fail(cause); err != cause {
		t.Errorf("fail before the first response = %v, want %v", err, cause)
	}
	if err := ms.add(response{href: "/"}); err != nil {
		t.Fatalf("add: %v", err)
	}
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("fail after the first response panicked with %v, want http.ErrAbortHandler", v)
		}
	}()
	_ = ms.fail(cause)
}
