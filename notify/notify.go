// Package notify sends the e-mails about bookings: the confirmation, the
// reminder, the change and the cancellation to the student, each with an
// iTIP invitation (RFC 5546, carried as RFC 6047 iMIP), and the new-booking
// note to a librarian who asked for it.
//
// The messages to send wait in the store's outbox, queued in the same
// transaction as the booking change that causes them. A Sender claims due
// messages under a lease (several replicas share the work without sending
// twice), renders each from the booking as it is at send time, in the
// student's language, sends it over SMTP (or writes it to a folder when no
// mail server is configured), and marks it sent; a failed attempt is
// retried with exponential backoff until it runs out of attempts and is
// marked failed, logged at error level and counted. A ReminderJob queues
// the reminders.
package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/veileder/veileder/booking"
)

// Store is what the sender needs from the outbox and the bookings.
type Store interface {
	ExternalStore // external.go
	WaitlistStore // waitlist.go
	// ClaimMessages leases up to limit due, pending messages until
	// now+lease, counting an attempt for each, oldest first.
	ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]booking.Message, error)
	// RenewMessageLeases extends to until the leases that end at held on
	// the given pending messages, and returns the ids it renewed.
	RenewMessageLeases(ctx context.Context, ids []int64, held, until time.Time) ([]int64, error)
	// MessageBooking returns the booking as it is now, with its topic and
	// librarian; booking.ErrNotFound when it is gone.
	MessageBooking(ctx context.Context, bookingID int64) (booking.View, error)
	MarkMessageSent(ctx context.Context, id int64, now time.Time) error
	MarkMessageSkipped(ctx context.Context, id int64, now time.Time, reason string) error
	FailMessage(ctx context.Context, id int64, now time.Time, reason string) error
	// RetryMessage releases the message to be tried at now+backoff(n)
	// after its n-th attempt, or marks it failed when n reached
	// maxAttempts.
	RetryMessage(ctx context.Context, id int64, now time.Time, reason string, maxAttempts int, backoff func(attempts int) time.Duration) (attempts int, failed bool, err error)
}

// Defaults for Config's zero fields.
const (
	DefaultTimeout      = time.Minute
	DefaultLease        = 30 * time.Second
	DefaultPollInterval = 5 * time.Second
	DefaultBatch        = 20
	DefaultMaxAttempts  = 10
	DefaultRetryBase    = time.Minute
	DefaultRetryMax     = 6 * time.Hour
)

// Config configures a Sender.
type Config struct {
	Store Store
	// SMTPURL is the mail server:
	//
	//	smtp://[user[:password]@]host[:port][?starttls=required|opportunistic|none][&auth=MECH][&timeout=30s]
	//	smtps://[user[:password]@]host[:port][?auth=MECH][&timeout=30s]
	//
	// smtp:// uses port 587 and requires STARTTLS unless told otherwise;
	// smtps:// is TLS from the first byte, port 465. auth is a go-mail
	// mechanism (plain, login, cram-md5, scram-sha-256, xoauth2, none …);
	// with a user name it defaults to the best the server offers. timeout
	// bounds one message's whole SMTP conversation (Timeout).
	//
	// Empty: every message is written to Dir as an .eml file instead.
	SMTPURL string
	// TLSConfig, when set, is used for STARTTLS and smtps (for a private
	// CA); its ServerName is set to the URL's host when empty.
	TLSConfig *tls.Config
	// From is the sender, "Name <address>"; its domain names the
	// messages (Message-ID). Empty: "Veileder <noreply@HOST>" with the
	// host of BaseURL, or veileder@localhost.
	From string
	// Dir is the folder for .eml files when SMTPURL is empty; it is made
	// when the first message is written.
	Dir string
	// BaseURL is the web front's public address, for the links.
	BaseURL string
	// Location is the library's time zone, in which times are written.
	// Nil means Europe/Oslo.
	Location *time.Location
	// ManageURL makes the student's manage link for a booking, "" when
	// it cannot (the message then goes without it).
	ManageURL func(booking.Booking) string
	// RequestURL makes the student's link to a request's offered times,
	// "" when it cannot (request.go).
	RequestURL func(booking.HelpRequest) string
	// WaitlistURLs makes the links of a waitlist offer's e-mail: the
	// offer's page and the "leave the waitlist" page; an offer without
	// the first is not sent.
	WaitlistURLs func(booking.OfferView) (offer, leave string)
	// FeedbackURL and AttendanceURL make the follow-up e-mails' links:
	// the student's rating page and the librarian's held / no-show page
	// of a booking; "" (or nil) when there is none, and then the
	// follow-up is not sent.
	FeedbackURL, AttendanceURL func(booking.Booking) string
	// Timeout bounds one message's SMTP conversation, from dialling to
	// the server's answer to the data; a timeout in SMTPURL wins, and
	// zero means DefaultTimeout.
	Timeout time.Duration
	// Lease is how long a claimed message is the claimer's alone unless
	// renewed; the sender renews it every third of it while it works, so
	// a send may take longer, and a sender that dies leaves its messages
	// to others within one lease. Zero means DefaultLease; at least 3 s.
	Lease time.Duration
	// PollInterval is how often the outbox is looked at when it was
	// empty; zero means DefaultPollInterval.
	PollInterval time.Duration
	// Batch is how many messages one claim takes; zero means
	// DefaultBatch.
	Batch int
	// MaxAttempts is how often a message is tried before it is marked
	// failed; zero means DefaultMaxAttempts.
	MaxAttempts int
	// RetryBase and RetryMax shape the backoff: the wait after the n-th
	// failed attempt is RetryBase×2^(n-1), at most RetryMax. Zero means
	// DefaultRetryBase and DefaultRetryMax.
	RetryBase, RetryMax time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger gets a line per message sent, retried, failed or written;
	// nil discards.
	Logger *slog.Logger
	// Metrics, when set, counts what the sender does (see NewMetrics).
	Metrics *Metrics
}

// Sender works through the outbox. It is safe to run one per replica.
type Sender struct {
	cfg       Config
	store     Store
	transport transport
	tmpl      *templates
	from      *mail.Address
	host      string // the Message-ID's right side
	baseURL   string
	loc       *time.Location
	now       func() time.Time
	log       *slog.Logger
	metrics   *Metrics
}

// transport hands one message to the world.
type transport interface {
	// send hands m over and calls accepted once the other side has
	// taken it (for SMTP, its 250 to the data), before anything else.
	send(ctx context.Context, m *gomail.Msg, name string, accepted func()) error
	String() string
}

// New checks cfg, parses the templates and returns a sender.
func New(cfg Config) (*Sender, error) {
	if cfg.Store == nil {
		return nil, errors.New("notify: no store")
	}
	s := &Sender{cfg: cfg, store: cfg.Store, baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		loc: cfg.Location, now: cfg.Now, log: cfg.Logger, metrics: cfg.Metrics}
	if s.loc == nil {
		loc, err := time.LoadLocation("Europe/Oslo")
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		s.loc = loc
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	from := cfg.From
	if from == "" {
		from = defaultFrom(s.baseURL)
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("notify: from address %q: %w", from, err)
	}
	s.from = a
	s.host = a.Address[strings.LastIndexByte(a.Address, '@')+1:]

	if cfg.SMTPURL != "" {
		t, timeout, err := newSMTPTransport(cfg.SMTPURL, cfg.TLSConfig, cfg.Timeout)
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		s.transport, s.cfg.Timeout = t, timeout
	} else {
		if cfg.Dir == "" {
			return nil, errors.New("notify: neither an SMTP URL nor a mail folder")
		}
		s.transport = &dirTransport{dir: cfg.Dir, log: s.log}
	}
	if s.cfg.Timeout <= 0 {
		s.cfg.Timeout = DefaultTimeout
	}
	if s.cfg.Lease == 0 {
		s.cfg.Lease = DefaultLease
	}
	if s.cfg.Lease < 3*time.Second {
		// The outbox keeps whole seconds, and a renewal every third of
		// the lease must have time to land.
		return nil, fmt.Errorf("notify: lease %s: want at least 3s", s.cfg.Lease)
	}
	if s.cfg.PollInterval <= 0 {
		s.cfg.PollInterval = DefaultPollInterval
	}
	if s.cfg.Batch <= 0 {
		s.cfg.Batch = DefaultBatch
	}
	if s.cfg.MaxAttempts <= 0 {
		s.cfg.MaxAttempts = DefaultMaxAttempts
	}
	if s.cfg.RetryBase <= 0 {
		s.cfg.RetryBase = DefaultRetryBase
	}
	if s.cfg.RetryMax <= 0 {
		s.cfg.RetryMax = DefaultRetryMax
	}
	if s.tmpl, err = parseTemplates(); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	return s, nil
}

// Transport says where messages go, for the start-up log: the mail
// server (without credentials) or the folder.
func (s *Sender) Transport() string { return s.transport.String() }

// Run sends due messages until ctx is done. A message being sent when ctx
// ends is finished (within the timeout), so that it is not sent again.
func (s *Sender) Run(ctx context.Context) {
	s.log.Info("notify: sender started", "transport", s.transport.String())
	for {
		n, err := s.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("notify: send due messages", "err", err)
		}
		if n == s.cfg.Batch && err == nil {
			continue // there may be more
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.cfg.PollInterval):
		}
	}
}

// SendDue claims one batch of due messages and sends them, and returns how
// many it claimed. Run calls it; tests call it to step the sender.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	now := s.now()
	msgs, err := s.store.ClaimMessages(ctx, now, s.cfg.Lease, s.cfg.Batch)
	if err != nil {
		return 0, err
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	// What is claimed is finished even when ctx ends, each message under
	// its own deadline, while the lease holds.
	work := context.WithoutCancel(ctx)
	leases := s.keepLeases(work, msgs, now.Add(s.cfg.Lease))
	defer leases.stop()
	for _, m := range msgs {
		held, ok := leases.begin(m.ID)
		if !ok {
			s.log.Warn("notify: lease on message lost before sending; another sender has it", "message", m.ID)
			continue
		}
		s.process(work, held, m)
		leases.end(m.ID)
	}
	return len(msgs), nil
}

// leaseKeeper renews the leases of one claimed batch every third of the
// lease until every message of it is settled, so that the lease can be
// short: a sender that dies leaves its messages to others soon, while one
// that lives keeps them however long a send takes. When a lease is lost
// (another sender took the message over after a stall, or renewals failed
// until it nearly ran out) the message's send is cancelled, so that two
// senders do not send it at once.
type leaseKeeper struct {
	s       *Sender
	quit    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	held    time.Time                    // the end of the leases the batch holds
	pending map[int64]context.CancelFunc // unsettled messages; nil until begun
	lost    map[int64]bool
}

func (s *Sender) keepLeases(ctx context.Context, msgs []booking.Message, held time.Time) *leaseKeeper {
	k := &leaseKeeper{s: s, quit: make(chan struct{}), done: make(chan struct{}), held: held,
		pending: map[int64]context.CancelFunc{}, lost: map[int64]bool{}}
	for _, m := range msgs {
		k.pending[m.ID] = nil
	}
	go k.run(ctx)
	return k
}

func (k *leaseKeeper) run(ctx context.Context) {
	defer close(k.done)
	every := k.s.cfg.Lease / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-k.quit:
			return
		case <-t.C:
		}
		k.mu.Lock()
		ids := make([]int64, 0, len(k.pending))
		for id := range k.pending {
			ids = append(ids, id)
		}
		held := k.held
		k.mu.Unlock()
		until := k.s.now().Add(k.s.cfg.Lease)
		kept, err := k.s.store.RenewMessageLeases(ctx, ids, held, until)
		k.mu.Lock()
		if err != nil {
			k.s.log.Error("notify: renew message leases", "err", err)
			if !k.s.now().Add(every).Before(held) {
				// The next renewal would come too late: give up the
				// batch before another sender may take it.
				for _, id := range ids {
					k.loseLocked(id)
				}
			}
		} else {
			k.held = until
			renewed := map[int64]bool{}
			for _, id := range kept {
				renewed[id] = true
			}
			for _, id := range ids {
				if !renewed[id] {
					k.loseLocked(id)
				}
			}
		}
		k.mu.Unlock()
	}
}

// loseLocked gives up message id: its send, if running, is cancelled.
func (k *leaseKeeper) loseLocked(id int64) {
	cancel, ok := k.pending[id]
	if !ok {
		return
	}
	if cancel != nil {
		cancel()
	}
	delete(k.pending, id)
	k.lost[id] = true
}

// begin returns a context that ends when the lease on message id is lost,
// and false when it already is.
func (k *leaseKeeper) begin(id int64) (context.Context, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.lost[id] {
		return nil, false
	}
	ctx, cancel := context.WithCancel(context.Background())
	k.pending[id] = cancel
	return ctx, true
}

// end says message id is settled: its lease needs no renewal.
func (k *leaseKeeper) end(id int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if cancel := k.pending[id]; cancel != nil {
		cancel()
	}
	delete(k.pending, id)
}

// stop ends the renewals and waits for them; the batch's leases that are
// left run out by themselves.
func (k *leaseKeeper) stop() {
	close(k.quit)
	<-k.done
	k.mu.Lock()
	defer k.mu.Unlock()
	for id := range k.pending {
		k.loseLocked(id)
	}
}

// process sends one claimed message and records the outcome. held ends
// when the message's lease is lost, which cancels its send.
func (s *Sender) process(ctx, held context.Context, m booking.Message) {
	log := s.log.With("message", m.ID, "kind", string(m.Kind), "booking", m.BookingID, "sequence", m.Sequence)
	out, skip, err := s.compose(ctx, m)
	switch {
	case errors.As(err, new(permanentError)):
		s.fail(ctx, log, m, fmt.Errorf("compose: %w", err))
		return
	case err != nil:
		// The store failed us: try again later.
		s.retry(ctx, log, m, fmt.Errorf("compose: %w", err))
		return
	case skip != "":
		if err := s.store.MarkMessageSkipped(ctx, m.ID, s.now(), skip); err != nil {
			log.Error("notify: mark message skipped", "err", err)
			return
		}
		s.metrics.skipped.WithLabelValues(string(m.Kind)).Inc()
		log.Info("notify: message skipped", "reason", skip)
		return
	}
	accepted := false
	markSent := func() {
		// Right after the server's 250 to the data, before QUIT.
		accepted = true
		if err := s.store.MarkMessageSent(ctx, m.ID, s.now()); err != nil {
			// The lease runs out and the message goes again, with the
			// same Message-ID: at most once more.
			log.Error("notify: message sent but not marked sent", "err", err)
		}
		s.metrics.sent.WithLabelValues(string(m.Kind)).Inc()
		log.Info("notify: message sent", "message_id", out.id, "via", s.transport.String())
	}
	sendCtx, cancel := context.WithTimeout(held, s.cfg.Timeout)
	err = s.transport.send(sendCtx, out.msg, out.name, markSent)
	cancel()
	if accepted {
		return
	}
	if err == nil {
		err = errors.New("the transport did not confirm delivery")
	}
	if held.Err() != nil {
		// Another sender has the message now; it records the outcome.
		log.Warn("notify: lease on message lost while sending", "err", err)
		return
	}
	if permanent(err) {
		s.fail(ctx, log, m, err)
		return
	}
	s.retry(ctx, log, m, err)
}

// fail gives up on a message that cannot succeed.
func (s *Sender) fail(ctx context.Context, log *slog.Logger, m booking.Message, cause error) {
	if err := s.store.FailMessage(ctx, m.ID, s.now(), cause.Error()); err != nil {
		log.Error("notify: mark message failed", "cause", cause, "err", err)
		return
	}
	s.metrics.failed.WithLabelValues(string(m.Kind)).Inc()
	log.Error("notify: message cannot be sent; marked failed", "err", cause)
}

func (s *Sender) retry(ctx context.Context, log *slog.Logger, m booking.Message, cause error) {
	attempts, failed, err := s.store.RetryMessage(ctx, m.ID, s.now(), cause.Error(), s.cfg.MaxAttempts, s.backoff)
	if err != nil {
		log.Error("notify: record failed attempt", "cause", cause, "err", err)
		return
	}
	if failed {
		s.metrics.failed.WithLabelValues(string(m.Kind)).Inc()
		log.Error("notify: message could not be sent; marked failed", "attempts", attempts, "err", cause)
		return
	}
	s.metrics.retried.WithLabelValues(string(m.Kind)).Inc()
	log.Warn("notify: message not sent; will retry", "attempts", attempts, "retry_in", s.backoff(attempts), "err", cause)
}

// backoff is the wait after the n-th failed attempt.
func (s *Sender) backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	f := float64(s.cfg.RetryBase) * math.Pow(2, float64(n-1))
	if f > float64(s.cfg.RetryMax) {
		return s.cfg.RetryMax
	}
	return time.Duration(f)
}

// permanent reports whether the mail server refused the message for good
// (a 5xx answer to MAIL, RCPT or the data), or the message cannot be
// made, so that retrying cannot help.
func permanent(err error) bool {
	if errors.As(err, new(permanentError)) {
		return true
	}
	var se *smtpError
	var reply *textproto.Error
	return errors.As(err, &se) && errors.As(se.err, &reply) && reply.Code >= 500 && reply.Code < 600
}

// defaultFrom is noreply at the base URL's host, when that is a name.
func defaultFrom(baseURL string) string {
	host := baseURL
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	host, _, _ = strings.Cut(host, "/")
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	if !strings.Contains(host, ".") || strings.Trim(host, "0123456789.") == "" || strings.ContainsAny(host, "[]@") {
		return "Veileder <veileder@localhost>"
	}
	return "Veileder <noreply@" + host + ">"
}
