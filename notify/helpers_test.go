package notify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/notify"
	"github.com/veileder/veileder/store"
)

// --- an SMTP server in the test process -----------------------------------

// received is one message the test server accepted.
type received struct {
	From string
	To   []string
	Data []byte
}

// smtpServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1 that
// keeps what it accepts and can be told to misbehave.
type smtpServer struct {
	Addr string

	mu      sync.Mutex
	msgs    []received
	refuse  int  // answer this many DATA commands with 451
	reject  bool // answer every RCPT with 550
	stall   chan struct{}
	stalled chan struct{} // gets a value when a DATA stalls
	// stallAfterData: accept the data (250), then read nothing more on
	// that connection, so that the client's QUIT hangs.
	stallAfterData bool
	user           string
	password       string
}

type serverOptions struct {
	refuse         int
	reject         bool
	stall          bool
	stallAfterData bool
	tls            *tls.Config
	user, password string
}

func startSMTP(t *testing.T, o serverOptions) *smtpServer {
	t.Helper()
	srv := &smtpServer{refuse: o.refuse, reject: o.reject, user: o.user, password: o.password,
		stalled: make(chan struct{}, 16), stallAfterData: o.stallAfterData}
	if o.stall {
		srv.stall = make(chan struct{})
	}
	s := smtp.NewServer(srv)
	s.Domain = "mail.test"
	s.ReadTimeout = 30 * time.Second
	s.WriteTimeout = 30 * time.Second
	s.MaxMessageBytes = 1 << 20
	s.TLSConfig = o.tls
	s.AllowInsecureAuth = o.tls == nil
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Addr = ln.Addr().String()
	release := make(chan struct{})
	go func() { _ = s.Serve(&stallListener{Listener: ln, release: release}) }()
	t.Cleanup(func() { close(release) })
	t.Cleanup(func() {
		if srv.stall != nil {
			close(srv.stall)
		}
		s.Close()
	})
	return srv
}

// Messages returns a copy of what the server accepted so far.
func (srv *smtpServer) Messages() []received {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return append([]received(nil), srv.msgs...)
}

func (srv *smtpServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	conn, _ := c.Conn().(*stallConn)
	return &session{srv: srv, conn: conn}, nil
}

// stallListener hands out connections that can be told to stop reading.
type stallListener struct {
	net.Listener
	release chan struct{}
}

func (l *stallListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &stallConn{Conn: c, release: l.release}, nil
}

// stallConn stops reading once stalled, until the server closes down:
// what the client sends next waits for an answer that does not come.
type stallConn struct {
	net.Conn
	release chan struct{}
	stalled atomic.Bool
}

func (c *stallConn) Read(b []byte) (int, error) {
	if c.stalled.Load() {
		<-c.release
		return 0, io.EOF
	}
	return c.Conn.Read(b)
}

type session struct {
	srv    *smtpServer
	conn   *stallConn
	authed bool
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string {
	if s.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.srv.user || pass != s.srv.password {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.srv.reject {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	if s.srv.refuse > 0 {
		s.srv.refuse--
		s.srv.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	stall := s.srv.stall
	s.srv.mu.Unlock()
	if stall != nil {
		s.srv.stalled <- struct{}{}
		<-stall
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "gone"}
	}
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, received{From: s.from, To: append([]string(nil), s.to...), Data: data})
	s.srv.mu.Unlock()
	if s.srv.stallAfterData && s.conn != nil {
		s.conn.stalled.Store(true)
	}
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// testTLS makes a CA-less self-signed certificate for 127.0.0.1 and
// returns the server's config and a client config that trusts it.
func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mail.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

// --- reading the messages -------------------------------------------------

// parsedMail is a received message taken apart.
type parsedMail struct {
	Header  mail.Header
	Subject string
	Text    string
	HTML    string
	// Calendar parts: the inline alternative and the attachment.
	InlineCal, AttachedCal []byte
	InlineType, AttachType string
	AttachName             string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("message does not parse: %v\n%s", err, data)
	}
	p := parsedMail{Header: m.Header}
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatalf("subject: %v", err)
	}
	walkPart(t, &p, m.Header, m.Body)
	return p
}

// header is a message's or a part's header.
type header interface{ Get(string) string }

func walkPart(t *testing.T, p *parsedMail, h header, body io.Reader) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type %q: %v", h.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			walkPart(t, p, part.Header, part)
		}
	}
	var r io.Reader = body
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &lineJoiner{r: body})
	}
	content, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("part %s: %v", mt, err)
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	switch {
	case mt == "text/calendar" && disp == "attachment":
		p.AttachedCal, p.AttachType, p.AttachName = content, h.Get("Content-Type"), dparams["filename"]
	case mt == "text/calendar":
		p.InlineCal, p.InlineType = content, h.Get("Content-Type")
	case mt == "text/plain":
		p.Text = string(content)
	case mt == "text/html":
		p.HTML = string(content)
	}
}

// lineJoiner drops the line breaks of base64 bodies.
type lineJoiner struct{ r io.Reader }

func (l *lineJoiner) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	out := b[:0]
	for _, c := range b[:n] {
		if c != '\r' && c != '\n' {
			out = append(out, c)
		}
	}
	return len(out), err
}

// --- an independent iCalendar parser --------------------------------------

// icalInfo is what Python's icalendar reads from an invitation.
type icalInfo struct {
	Method      string `json:"method"`
	UID         string `json:"uid"`
	Sequence    int    `json:"sequence"`
	Status      string `json:"status"`
	Organizer   string `json:"organizer"`
	OrganizerCN string `json:"organizer_cn"`
	Attendee    string `json:"attendee"`
	AttendeeCN  string `json:"attendee_cn"`
	PartStat    string `json:"partstat"`
	Start       string `json:"dtstart"`
	Summary     string `json:"summary"`
	Description string `json:"description"`
}

const parseScript = `
import sys, json
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
evs = list(cal.walk('VEVENT'))
assert len(evs) == 1, len(evs)
ev = evs[0]
org, att = ev.get('ORGANIZER'), ev.get('ATTENDEE')
assert not isinstance(att, list), att
print(json.dumps({
  "method": str(cal.get('METHOD', '')), "uid": str(ev.get('UID')),
  "sequence": int(ev.get('SEQUENCE', 0)), "status": str(ev.get('STATUS', '')),
  "organizer": str(org), "organizer_cn": str(org.params.get('CN', '')),
  "attendee": str(att), "attendee_cn": str(att.params.get('CN', '')),
  "partstat": str(att.params.get('PARTSTAT', '')),
  "dtstart": ev.decoded('DTSTART').isoformat(),
  "summary": str(ev.get('SUMMARY', '')), "description": str(ev.get('DESCRIPTION', '')),
}))
`

// parseICS reads data with Debian's python3-icalendar. Without it the
// test is skipped, unless $CI is "true", where it fails.
func parseICS(t *testing.T, data []byte) icalInfo {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import icalendar").Run(); err != nil {
		msg := "python3-icalendar is not installed (apt-get install python3-icalendar): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command(python, "-c", parseScript)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("icalendar does not read the invitation: %v\n%s\n%s", err, stderr.Bytes(), data)
	}
	var info icalInfo
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("parser output %q: %v", out, err)
	}
	return info
}

// --- data ------------------------------------------------------------------

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a librarian and a topic to book.
type fixture struct {
	s         *store.Store
	librarian booking.User
	topic     booking.Topic
	n         int
	// answers go with every booking book makes.
	answers []booking.Answer
}

// newFixture makes a librarian whose name needs quoting in a CN, who has
// opted in to new-booking e-mails, and a topic.
func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	ctx := t.Context()
	lib, err := s.CreateUser(ctx, booking.User{Username: "kari", DisplayName: "Nordmann, Kari", Email: "kari@ub.example.org", Role: booking.RoleLibrarian}, "passord-123")
	if err != nil {
		t.Fatal(err)
	}
	p := booking.DefaultProfile(lib.ID)
	p.NotifyNewBooking = true
	if err := s.SetProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	topic, err := s.CreateTopic(ctx, booking.Topic{Slug: "zotero", ServiceSlug: "bibliotekar", NameNB: "Zotero og referanser", NameEN: "Zotero and references"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{s: s, librarian: lib, topic: topic}
}

// book stores a confirmed booking and queues what the scheduling service
// queues with it, in one transaction, as scheduling.Book does.
func (f *fixture) book(t *testing.T, start time.Time, locale, email string, queuedAt time.Time) booking.Booking {
	t.Helper()
	f.n++
	b := booking.Booking{
		TopicID: f.topic.ID, LibrarianID: f.librarian.ID, Start: start.UTC(), End: start.Add(45 * time.Minute).UTC(),
		Location: "Georg Sverdrups hus, rom 2.14", StudentName: "Ola \"Student\" Nordmann", StudentEmail: email,
		Question: "Hvordan bruker jeg Zotero med Word?\nOg med LaTeX?", Programme: "Master i historie", StudyLevel: "master",
		Language: "nb", Locale: locale, Status: booking.StatusConfirmed,
		EventUID: fmt.Sprintf("%032x@veileder", f.n), EventName: fmt.Sprintf("%032x.ics", f.n),
		TokenHash: fmt.Sprintf("hash-%d", f.n), Answers: f.answers,
	}
	err := f.s.Tx(t.Context(), b.LibrarianID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if b, err = tx.InsertBooking(ctx, b); err != nil {
			return err
		}
		for _, k := range []booking.MessageKind{booking.MessageConfirmation, booking.MessageLibrarianNew} {
			if err := tx.Enqueue(ctx, booking.Message{Kind: k, BookingID: b.ID, Sequence: b.Sequence, SendAfter: queuedAt}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("book: %v", err)
	}
	return b
}

// change applies fn to the booking and queues kind, in one transaction,
// as the scheduling service does when a booking is moved or cancelled.
func (f *fixture) change(t *testing.T, b booking.Booking, kind booking.MessageKind, queuedAt time.Time, fn func(*booking.Booking)) booking.Booking {
	t.Helper()
	err := f.s.Tx(t.Context(), b.LibrarianID, func(ctx context.Context, tx *store.Tx) error {
		cur, err := tx.BookingByID(ctx, b.ID)
		if err != nil {
			return err
		}
		fn(&cur)
		cur.Sequence++
		cur.UpdatedAt = queuedAt
		if err := tx.UpdateBooking(ctx, cur); err != nil {
			return err
		}
		b = cur
		return tx.Enqueue(ctx, booking.Message{Kind: kind, BookingID: cur.ID, Sequence: cur.Sequence, SendAfter: queuedAt})
	})
	if err != nil {
		t.Fatalf("change booking %d: %v", b.ID, err)
	}
	return b
}

// drain runs the sender until a pass claims nothing.
func drain(t *testing.T, s *notify.Sender) {
	t.Helper()
	for range 100 {
		n, err := s.SendDue(t.Context())
		if err != nil {
			t.Fatalf("SendDue: %v", err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox does not drain")
}

func manageURL(b booking.Booking) string {
	return "https://veileder.example.org/booking/token-of-" + b.EventUID
}
