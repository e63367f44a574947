package caldav

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"

	"github.com/veileder/veileder/caldav/calquery"
)

// XML namespaces of the properties we serve.
const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCS     = "http://calendarserver.org/ns/"
	nsApple  = "http://apple.com/ns/ical/"
)

// prefixes are the namespace prefixes the multistatus root declares.
// encoding/xml would declare a namespace on every element instead
// (<href xmlns="DAV:">); prefixes carry no meaning in XML, but the
// conversations replayed in our tests and some clients' logs compare text,
// so answers keep the D:, C:, CS: and ICAL: they always had. The element
// types below therefore name their elements with the prefix ("D:href"),
// which encoding/xml writes as it is.
var prefixes = map[string]string{nsDAV: "D", nsCalDAV: "C", nsCS: "CS", nsApple: "ICAL"}

// rootNamespaces are the declarations on a root element we write.
var rootNamespaces = []xml.Attr{
	{Name: xml.Name{Local: "xmlns:D"}, Value: nsDAV},
	{Name: xml.Name{Local: "xmlns:C"}, Value: nsCalDAV},
	{Name: xml.Name{Local: "xmlns:CS"}, Value: nsCS},
	{Name: xml.Name{Local: "xmlns:ICAL"}, Value: nsApple},
}

func dav(local string) xml.Name   { return xml.Name{Space: nsDAV, Local: local} }
func cal(local string) xml.Name   { return xml.Name{Space: nsCalDAV, Local: local} }
func cs(local string) xml.Name    { return xml.Name{Space: nsCS, Local: local} }
func apple(local string) xml.Name { return xml.Name{Space: nsApple, Local: local} }

func statusLine(code int) string { return fmt.Sprintf("HTTP/1.1 %d %s", code, http.StatusText(code)) }

// startOf is the start element for n: with the known prefix of its
// namespace, or with its own declaration for a namespace we do not know (a
// property a client asked for that we answer with 404, or a dead property).
func startOf(n xml.Name) xml.StartElement {
	if p, ok := prefixes[n.Space]; ok {
		return xml.StartElement{Name: xml.Name{Local: p + ":" + n.Local}}
	}
	if n.Space == "" {
		return xml.StartElement{Name: xml.Name{Local: n.Local}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}}}}
	}
	return xml.StartElement{Name: xml.Name{Local: "X:" + n.Local}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns:X"}, Value: n.Space}}}
}

// The element types of our answers (RFC 4918 §14, RFC 4791 §5.2, §6.2,
// RFC 3744 §5.4, RFC 3253 §3.1.5). A property's value is one of them, a
// string (its text), or nil (an empty element).

// hrefList is a list of DAV:href elements.
type hrefList []string

func (hs hrefList) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		Hrefs []string `xml:"D:href"`
	}{hs}, start)
}

// emptyChildren is an element holding empty elements, such as
// DAV:resourcetype (<D:collection/><C:calendar/>).
type emptyChildren []xml.Name

func (ns emptyChildren) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return encodeWrapped(e, start, ns)
}

// privilegeSet is DAV:current-user-privilege-set (RFC 3744 §5.4): each
// privilege in its own DAV:privilege.
type privilegeSet []xml.Name

func (ns privilegeSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return encodeWrapped(e, start, ns, "D:privilege")
}

// reportSet is DAV:supported-report-set with each report wrapped as RFC
// 3253 §3.1.5 says; tsdav ignores sync-collection without the wrapper.
type reportSet []xml.Name

func (ns reportSet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return encodeWrapped(e, start, ns, "D:supported-report", "D:report")
}

// encodeWrapped writes start, then each name as an empty element inside
// the wrapper elements, then the end of start.
func encodeWrapped(e *xml.Encoder, start xml.StartElement, names []xml.Name, wrappers ...string) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, n := range names {
		for _, w := range wrappers {
			if err := e.EncodeToken(xml.StartElement{Name: xml.Name{Local: w}}); err != nil {
				return err
			}
		}
		s := startOf(n)
		if err := e.EncodeToken(s); err != nil {
			return err
		}
		if err := e.EncodeToken(s.End()); err != nil {
			return err
		}
		for i := len(wrappers) - 1; i >= 0; i-- {
			if err := e.EncodeToken(xml.EndElement{Name: xml.Name{Local: wrappers[i]}}); err != nil {
				return err
			}
		}
	}
	return e.EncodeToken(start.End())
}

// compSet is CALDAV:supported-calendar-component-set (RFC 4791 §5.2.3).
type compSet struct {
	Comps []compName `xml:"C:comp"`
}

type compName struct {
	Name string `xml:"name,attr"`
}

// supportedCalendarData is CALDAV:supported-calendar-data (RFC 4791 §5.2.4).
type supportedCalendarData struct {
	Data struct {
		ContentType string `xml:"content-type,attr"`
		Version     string `xml:"version,attr"`
	} `xml:"C:calendar-data"`
}

// emailSet is calendarserver.org's email-address-set.
type emailSet struct {
	Emails []string `xml:"CS:email-address"`
}

// rawXML is the content of a dead property as it was stored: XML that
// declares its own namespaces (see valueElem).
type rawXML struct {
	Inner string `xml:",innerxml"`
}

// prop is one answered property: its name and either its value with
// status 200, or another status.
type prop struct {
	name   xml.Name
	value  any
	status int
}

func (p prop) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := startOf(p.name)
	if p.value == nil {
		if err := e.EncodeToken(start); err != nil {
			return err
		}
		return e.EncodeToken(start.End())
	}
	return e.EncodeElement(p.value, start)
}

// response is one <D:response> of a multistatus.
type response struct {
	href   string
	props  []prop
	status int // a whole-response status (sync-collection tombstones, 507); 0 for propstat
	// errs are DAV:error's precondition elements (RFC 4918 §14.5), such
	// as number-of-matches-within-limits on a 507.
	errs []xml.Name
}

// responseElem is DAV:response (RFC 4918 §14.24) as written.
type responseElem struct {
	XMLName   xml.Name       `xml:"D:response"`
	Href      string         `xml:"D:href"`
	Status    string         `xml:"D:status,omitempty"`
	Propstats []propstatElem `xml:"D:propstat"`
	Error     emptyChildren  `xml:"D:error,omitempty"`
}

type propstatElem struct {
	Prop struct {
		Props []prop
	} `xml:"D:prop"`
	Status string `xml:"D:status"`
}

// element is r as written: properties grouped by status, 200 first.
func (r response) element() responseElem {
	el := responseElem{Href: r.href, Error: emptyChildren(r.errs)}
	if r.status != 0 {
		el.Status = statusLine(r.status)
		return el
	}
	if allOK(r.props) {
		// The common case (a listing of ETags): one propstat, no grouping.
		ps := propstatElem{Status: statusLine(http.StatusOK)}
		ps.Prop.Props = r.props
		el.Propstats = []propstatElem{ps}
		return el
	}
	byStatus := map[int][]prop{}
	var codes []int
	for _, p := range r.props {
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
		codes = []int{http.StatusOK}
	}
	for _, code := range codes {
		ps := propstatElem{Status: statusLine(code)}
		ps.Prop.Props = byStatus[code]
		el.Propstats = append(el.Propstats, ps)
	}
	return el
}

// allOK says every property was found (status 200).
func allOK(props []prop) bool {
	for _, p := range props {
		if p.status != 0 && p.status != http.StatusOK {
			return false
		}
	}
	return true
}

// multistatus streams a 207 Multi-Status (RFC 4918 §13): the root element
// is opened before the first response, each <D:response> is encoded as it
// is produced and sent (the first at once, the rest in batches of
// sendBatch), and close ends the document, so that an answer is never held
// in memory whole.
//
// Until the first response is sent, an error can still become an error
// status. After it the status line is gone: fail then logs the error and
// aborts the response (http.ErrAbortHandler), so that the client sees a
// broken answer rather than a well-formed one that silently lacks members.
type multistatus struct {
	w       http.ResponseWriter
	ctx     context.Context // the request's, for the log
	logger  *slog.Logger
	buf     bytes.Buffer
	enc     *xml.Encoder
	out     []byte // encoded responses not yet written to w
	started bool
	n       int   // responses written
	written int64 // bytes written (or about to be: out)
	limit   int64 // full reports true past it; 0 for no limit
}

// sendBatch is how much of the answer is gathered before it is written to
// the client (after the first response, which is written at once): a
// listing of thousands of small responses is then tens of writes rather
// than thousands, and memory stays bounded by it.
const sendBatch = 32 << 10

var multistatusRoot = xml.StartElement{Name: xml.Name{Local: "D:multistatus"}, Attr: rootNamespaces}

func (h *Handler) newMultistatus(w http.ResponseWriter, r *http.Request) *multistatus {
	ms := &multistatus{w: w, ctx: r.Context(), logger: h.logger}
	ms.enc = xml.NewEncoder(&ms.buf)
	return ms
}

func (ms *multistatus) start() error {
	if ms.started {
		return nil
	}
	ms.started = true
	ms.w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	ms.w.WriteHeader(http.StatusMultiStatus)
	ms.buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	if err := ms.enc.EncodeToken(multistatusRoot); err != nil {
		return err
	}
	return ms.send()
}

// errClientWrite marks a failed write to the client, which has most likely
// gone away: no bug of ours.
var errClientWrite = errors.New("writing to the client")

// send takes what the encoder holds into the answer, and writes the
// answer to the client once sendBatch of it has gathered.
func (ms *multistatus) send() error {
	if err := ms.enc.Flush(); err != nil {
		return err
	}
	before := len(ms.out)
	ms.out = appendShortEmpty(ms.out, ms.buf.Bytes())
	ms.written += int64(len(ms.out) - before)
	ms.buf.Reset()
	// The first response goes out at once, so that the client has the
	// answer's start while the rest is made.
	if ms.n == 0 || len(ms.out) >= sendBatch {
		return ms.flush()
	}
	return nil
}

// flush writes the gathered answer to the client.
func (ms *multistatus) flush() error {
	_, err := ms.w.Write(ms.out)
	ms.out = ms.out[:0]
	if err != nil {
		return fmt.Errorf("%w: %w", errClientWrite, err)
	}
	return nil
}

// add sends one response.
func (ms *multistatus) add(r response) error {
	if err := ms.start(); err != nil {
		return ms.fail(err)
	}
	if err := ms.enc.Encode(r.element()); err != nil {
		return ms.fail(err)
	}
	if err := ms.send(); err != nil {
		return ms.fail(err)
	}
	ms.n++
	return nil
}

// full reports whether the answer has reached its size limit.
func (ms *multistatus) full() bool { return ms.limit > 0 && ms.written >= ms.limit }

// truncated adds the response that says the answer was cut short by a
// limit: a 507 for the request-URI with DAV:number-of-matches-within-limits
// (RFC 5323 §5.16, RFC 6578 §3.6), which clients read as "there is more".
func (ms *multistatus) truncated(href string) error {
	return ms.add(response{href: href, status: http.StatusInsufficientStorage, errs: []xml.Name{dav("number-of-matches-within-limits")}})
}

// close ends the document, with the collection's new DAV:sync-token when
// syncToken is set (RFC 6578 §6.4).
func (ms *multistatus) close(syncToken string) error {
	if err := ms.start(); err != nil {
		return ms.fail(err)
	}
	if syncToken != "" {
		if err := ms.enc.EncodeElement(syncToken, xml.StartElement{Name: xml.Name{Local: "D:sync-token"}}); err != nil {
			return ms.fail(err)
		}
	}
	if err := ms.enc.EncodeToken(multistatusRoot.End()); err != nil {
		return ms.fail(err)
	}
	if err := ms.enc.Flush(); err != nil {
		return ms.fail(err)
	}
	ms.buf.WriteString("\n")
	if err := ms.send(); err != nil {
		return ms.fail(err)
	}
	if err := ms.flush(); err != nil {
		return ms.fail(err)
	}
	return nil
}

// fail returns err while nothing has been sent; after that it logs err and
// aborts the response (see multistatus).
func (ms *multistatus) fail(err error) error {
	if !ms.started {
		return err
	}
	level := slog.LevelError
	if errors.Is(err, errClientWrite) {
		level = slog.LevelInfo
	}
	ms.logger.Log(ms.ctx, level, "caldav: multistatus cut short", "responses", ms.n, "err", err)
	panic(http.ErrAbortHandler)
}

// shortEmpty writes each empty element of ours that encoding/xml wrote as
// <D:x></D:x> as <D:x/>, the form our answers always had and the replayed
// client conversations compare. It relies on what encoding/xml writes:
// text and attribute values have '<' and '>' escaped, so "></" follows
// only a tag. Only prefixed elements are ours: the stored content of a
// dead property was written by encoding/xml with a default namespace
// (<transparent xmlns="...">) and is given back as it was stored.
func shortEmpty(b []byte) []byte { return appendShortEmpty(nil, b) }

// appendShortEmpty appends shortEmpty(b) to out, copying the text between
// tags in runs.
func appendShortEmpty(out, b []byte) []byte {
	open := -1 // in out, the '<' of the start tag last written
	for len(b) > 0 {
		i := bytes.IndexAny(b, "<>")
		if i < 0 {
			return append(out, b...)
		}
		out = append(out, b[:i]...)
		b = b[i:]
		if b[0] == '<' {
			open = -1
			if len(b) > 1 && b[1] != '/' && b[1] != '?' && b[1] != '!' {
				open = len(out)
			}
			out, b = append(out, '<'), b[1:]
			continue
		}
		if open >= 0 && bytes.HasPrefix(b[1:], []byte("</")) {
			tag := out[open+1:]
			if j := bytes.IndexAny(tag, " \t\r\n"); j >= 0 {
				tag = tag[:j]
			}
			rest := b[3:]
			if bytes.IndexByte(tag, ':') > 0 && bytes.HasPrefix(rest, tag) && len(rest) > len(tag) && rest[len(tag)] == '>' {
				out, b = append(out, '/', '>'), rest[len(tag)+1:]
				open = -1
				continue
			}
		}
		out, b = append(out, '>'), b[1:]
	}
	return out
}

// element writes an element with inner XML, for the error bodies of
// errors.go.
// anyElem is an element of a request whose name is all that counts.
type anyElem struct {
	XMLName xml.Name
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

// decodeXML reads an XML request body into v through calquery's guarded
// decoder (no DOCTYPE, bounded depth and element count, one root). An
// empty body is calquery.ErrEmptyBody.
func decodeXML(body []byte, v any) error {
	return calquery.DecodeXML(bytes.NewReader(body), v)
}

// isEmptyBody reports whether decodeXML failed because there was no body.
func isEmptyBody(err error) bool { return errors.Is(err, calquery.ErrEmptyBody) }

// rootName returns the name of the root element of an XML body.
func rootName(body []byte) (xml.Name, error) {
	var root anyElem
	if err := decodeXML(body, &root); err != nil {
		return xml.Name{}, err
	}
	return root.XMLName, nil
}

// scheduleResponse is CALDAV:schedule-response (RFC 6638 §10.1), the
// answer to a POST to the outbox: one response per recipient.
type scheduleResponse struct {
	XMLName   xml.Name            `xml:"C:schedule-response"`
	Attrs     []xml.Attr          `xml:",attr"`
	Responses []scheduleRecipient `xml:"C:response"`
}

type scheduleRecipient struct {
	Recipient     hrefList `xml:"C:recipient"`
	RequestStatus string   `xml:"C:request-status"`
	CalendarData  string   `xml:"C:calendar-data,omitempty"`
}
