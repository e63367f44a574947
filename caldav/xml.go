package caldav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// XML namespaces of the properties we serve.
const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCS     = "http://calendarserver.org/ns/"
	nsApple  = "http://apple.com/ns/ical/"
)

var prefixes = map[string]string{nsDAV: "D", nsCalDAV: "C", nsCS: "CS", nsApple: "ICAL"}

func dav(local string) xml.Name   { return xml.Name{Space: nsDAV, Local: local} }
func cal(local string) xml.Name   { return xml.Name{Space: nsCalDAV, Local: local} }
func cs(local string) xml.Name    { return xml.Name{Space: nsCS, Local: local} }
func apple(local string) xml.Name { return xml.Name{Space: nsApple, Local: local} }
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
func hrefXML(href string) string  { return "<D:href>" + xmlText(href) + "</D:href>" }
func emptyElem(n xml.Name) string { return element(n, "") }
func statusLine(code int) string  { return fmt.Sprintf("HTTP/1.1 %d %s", code, http.StatusText(code)) }
func statusXML(code int) string   { return "<D:status>" + statusLine(code) + "</D:status>" }

// element writes an element with the known prefix of its namespace, or with
// its own xmlns declaration for a namespace we do not know (a property a
// client asked for that we answer with 404).
func element(n xml.Name, inner string) string {
	if p, ok := prefixes[n.Space]; ok {
		if inner == "" {
			return "<" + p + ":" + n.Local + "/>"
		}
		return "<" + p + ":" + n.Local + ">" + inner + "</" + p + ":" + n.Local + ">"
	}
	if n.Space == "" {
		if inner == "" {
			return "<" + n.Local + ` xmlns=""/>`
		}
		return "<" + n.Local + ` xmlns="">` + inner + "</" + n.Local + ">"
	}
	open := "<X:" + n.Local + ` xmlns:X="` + xmlText(n.Space) + `"`
	if inner == "" {
		return open + "/>"
	}
	return open + ">" + inner + "</X:" + n.Local + ">"
}

// prop is one answered property: its name and either its value (escaped
// inner XML) with status 200, or another status.
type prop struct {
	name   xml.Name
	inner  string
	status int
}

// response is one <D:response> of a multistatus.
type response struct {
	href   string
	props  []prop
	status int // a whole-response status (sync-collection tombstones); 0 for propstat
}

// multistatus accumulates responses and writes a 207.
type multistatus struct {
	responses []response
	syncToken string
}

func (ms *multistatus) add(r response) { ms.responses = append(ms.responses, r) }

func (ms *multistatus) bytes() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" xmlns:ICAL="http://apple.com/ns/ical/">`)
	for _, r := range ms.responses {
		b.WriteString("<D:response>")
		b.WriteString(hrefXML(r.href))
		if r.status != 0 {
			b.WriteString(statusXML(r.status))
		} else {
			writePropstats(&b, r.props)
		}
		b.WriteString("</D:response>")
	}
	if ms.syncToken != "" {
		b.WriteString("<D:sync-token>" + xmlText(ms.syncToken) + "</D:sync-token>")
	}
	b.WriteString("</D:multistatus>\n")
	return b.Bytes()
}

// writePropstats groups properties by status, 200 first.
func writePropstats(b *bytes.Buffer, props []prop) {
	byStatus := map[int][]prop{}
	var codes []int
	for _, p := range props {
		code := p.status
		if code == 0 {
			code = http.StatusOK
		}
		if _, ok := byStatus[code]; !ok {
			codes = append(codes, code)
		}
		byStatus[code] = append(byStatus[code], p)
	}
	sort.Ints(codes)
	if len(codes) == 0 {
		// RFC 4918 §14.22: a response holds at least one propstat.
		codes, byStatus[http.StatusOK] = []int{http.StatusOK}, nil
	}
	for _, code := range codes {
		b.WriteString("<D:propstat><D:prop>")
		for _, p := range byStatus[code] {
			b.WriteString(element(p.name, p.inner))
		}
		b.WriteString("</D:prop>" + statusXML(code) + "</D:propstat>")
	}
}

func writeMultistatus(w http.ResponseWriter, ms *multistatus) {
	body := ms.bytes()
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	_, _ = w.Write(body)
}

// anyElem captures an element of a request body with its raw content.
type anyElem struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   []byte     `xml:",innerxml"`
}

// propList is a <D:prop> of a request: the names asked for.
type propList struct {
	Props []anyElem `xml:",any"`
}

func (p *propList) names() []xml.Name {
	if p == nil {
		return nil
	}
	names := make([]xml.Name, 0, len(p.Props))
	for _, e := range p.Props {
		names = append(names, e.XMLName)
	}
	return names
}

var errEmptyBody = errors.New("empty body")

// decodeXML reads an XML request body into v. It refuses DOCTYPEs (no
// entity expansion games) and reports an empty body as errEmptyBody.
func decodeXML(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errEmptyBody
	}
	if bytes.Contains(body, []byte("<!DOCTYPE")) || bytes.Contains(body, []byte("<!ENTITY")) {
		return errors.New("DOCTYPE and ENTITY declarations are not accepted")
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed XML: %w", err)
	}
	// Nothing but white space, comments or processing instructions may
	// follow the root element.
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("malformed XML after the root element: %w", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return errors.New("text after the root element")
			}
		case xml.StartElement:
			return errors.New("more than one root element")
		}
	}
}

// rootName returns the name of the root element of an XML body.
func rootName(body []byte) (xml.Name, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return xml.Name{}, fmt.Errorf("malformed XML: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name, nil
		}
	}
}
