package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// client speaks WebDAV over one keep-alive transport, as a calendar app
// does, and times each request from sending it to the last byte of the
// answer.
type client struct {
	http     *http.Client
	base     *url.URL // scheme://host
	user, pw string
}

func newClient(rawURL, user, pw string, parallel int) (*client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("-url %q: want http://host:port", rawURL)
	}
	tr := &http.Transport{
		MaxIdleConnsPerHost: max(parallel, 2),
		// The raw answer, as it is on the wire: compression would measure
		// the client's gzip too.
		DisableCompression: true,
		IdleConnTimeout:    90 * time.Second,
	}
	return &client{http: &http.Client{Transport: tr}, base: &url.URL{Scheme: u.Scheme, Host: u.Host}, user: user, pw: pw}, nil
}

// answer is a response read to the end.
type answer struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
}

// do sends one request and reads the whole answer. headers are name,
// value pairs.
func (c *client) do(ctx context.Context, method, path, body string, headers ...string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.SetBasicAuth(c.user, c.pw)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	t0 := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	took := time.Since(t0)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b, took: took}, nil
}

// multistatus is the part of RFC 4918 §14.16 the checks read.
type multistatus struct {
	Responses []msResponse `xml:"DAV: response"`
	SyncToken string       `xml:"DAV: sync-token"`
}

type msResponse struct {
	Hrefs     []string     `xml:"DAV: href"`
	Status    string       `xml:"DAV: status"`
	Propstats []msPropstat `xml:"DAV: propstat"`
}

type msPropstat struct {
	Status string `xml:"DAV: status"`
	Prop   struct {
		ETag         string `xml:"DAV: getetag"`
		CalendarData string `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
	} `xml:"DAV: prop"`
}

func parseMultistatus(b []byte) (*multistatus, error) {
	var ms multistatus
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&ms); err != nil {
		return nil, fmt.Errorf("multistatus: %w", err)
	}
	return &ms, nil
}

// href is the response's first href, decoded.
func (r msResponse) href() string {
	if len(r.Hrefs) == 0 {
		return ""
	}
	h := strings.TrimSpace(r.Hrefs[0])
	if u, err := url.Parse(h); err == nil {
		h = u.Path
	}
	return h
}

// statusCode is the code of an RFC 4918 status line ("HTTP/1.1 200 OK"),
// or 0.
func statusCode(line string) int {
	var proto string
	var code int
	if _, err := fmt.Sscanf(strings.TrimSpace(line), "%s %d", &proto, &code); err != nil {
		return 0
	}
	return code
}

// ok200 returns the response's 200 propstat, if any.
func (r msResponse) ok200() (msPropstat, bool) {
	for _, ps := range r.Propstats {
		if statusCode(ps.Status) == http.StatusOK {
			return ps, true
		}
	}
	return msPropstat{}, false
}

// Request bodies.

const davNS = `xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"`

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

func queryBody(from, to time.Time, expand bool) string {
	data := `<C:calendar-data/>`
	if expand {
		data = `<C:calendar-data><C:expand start="` + utc(from) + `" end="` + utc(to) + `"/></C:calendar-data>`
	}
	return `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ` + davNS + `><D:prop><D:getetag/>` + data +
		`</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="` +
		utc(from) + `" end="` + utc(to) + `"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`
}

const propfindBody = `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontenttype/><D:resourcetype/></D:prop></D:propfind>`

func syncBody(token string) string {
	return `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>` + xmlEscape(token) +
		`</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`
}

func multigetBody(hrefs []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget ` + davNS + `><D:prop><D:getetag/><C:calendar-data/></D:prop>`)
	for _, h := range hrefs {
		b.WriteString("<D:href>" + xmlEscape(h) + "</D:href>")
	}
	b.WriteString("</C:calendar-multiget>")
	return b.String()
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
