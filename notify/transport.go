package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// smtpTransport sends through a mail server with go-mail, one connection
// per message: messages are few, and a fresh connection has no state to
// go stale between them.
type smtpTransport struct {
	client  *gomail.Client
	display string // the URL without credentials
}

// newSMTPTransport reads an smtp:// or smtps:// URL (see Config.SMTPURL).
// timeout is used unless the URL sets one; the one in force is returned.
func newSMTPTransport(raw string, tlsConfig *tls.Config, timeout time.Duration) (*smtpTransport, time.Duration, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL, password and all.
		return nil, 0, fmt.Errorf("SMTP URL does not parse")
	}
	host := u.Hostname()
	if host == "" {
		return nil, 0, fmt.Errorf("SMTP URL %s: no host", redact(u))
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "starttls", "auth", "timeout", "helo":
		default:
			return nil, 0, fmt.Errorf("SMTP URL %s: unknown parameter %q (want starttls, auth, timeout or helo)", redact(u), k)
		}
	}
	if v := q.Get("timeout"); v != "" {
		if timeout, err = time.ParseDuration(v); err != nil || timeout <= 0 {
			return nil, 0, fmt.Errorf("SMTP URL %s: timeout %q: want a duration such as 30s", redact(u), v)
		}
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	opts := []gomail.Option{gomail.WithTimeout(timeout)}
	var port int
	switch u.Scheme {
	case "smtp":
		port = 587
		policy := gomail.TLSMandatory
		switch v := strings.ToLower(q.Get("starttls")); v {
		case "", "required", "mandatory":
		case "opportunistic":
			policy = gomail.TLSOpportunistic
		case "none", "no", "off":
			policy = gomail.NoTLS
		default:
			return nil, 0, fmt.Errorf("SMTP URL %s: starttls %q: want required, opportunistic or none", redact(u), v)
		}
		opts = append(opts, gomail.WithTLSPolicy(policy))
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
		if q.Has("starttls") {
			return nil, 0, fmt.Errorf("SMTP URL %s: smtps is TLS from the start; starttls does not apply", redact(u))
		}
	default:
		return nil, 0, fmt.Errorf("SMTP URL %s: scheme %q: want smtp or smtps", redact(u), u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return nil, 0, fmt.Errorf("SMTP URL %s: port %q", redact(u), p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if tlsConfig != nil {
		tc := tlsConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = host
		}
		opts = append(opts, gomail.WithTLSConfig(tc))
	}
	if helo := q.Get("helo"); helo != "" {
		opts = append(opts, gomail.WithHELO(helo))
	}
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		auth := gomail.SMTPAuthAutoDiscover
		if v := q.Get("auth"); v != "" {
			if err := auth.UnmarshalString(v); err != nil {
				return nil, 0, fmt.Errorf("SMTP URL %s: auth %q: %v", redact(u), v, err)
			}
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(user), gomail.WithPassword(pass))
	} else if v := q.Get("auth"); v != "" && !strings.EqualFold(v, "none") {
		return nil, 0, fmt.Errorf("SMTP URL %s: auth %q needs a user name", redact(u), v)
	}
	c, err := gomail.NewClient(host, opts...)
	if err != nil {
		return nil, 0, fmt.Errorf("SMTP client for %s: %w", redact(u), err)
	}
	return &smtpTransport{client: c, display: redact(u)}, timeout, nil
}

// redact is the URL without its password, for logs and errors.
func redact(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	return c.String()
}

func (t *smtpTransport) String() string { return t.display }

// send delivers m within ctx's deadline, one message per SMTP
// transaction, and calls accepted the moment the server answers the data
// with 250: from then on the server is responsible for the message (RFC
// 5321 section 4.1.1.4), so the sender marks it sent before anything else
// can go wrong, and what follows (QUIT) may fail without the message
// being sent again. That is as small as the window between delivery and
// the mark can be: a crash between the 250 and the mark's commit can
// still send a message twice, with the same Message-ID.
//
// go-mail bounds each command with its timeout but heeds the context only
// while dialling, so the connection is closed when ctx ends: a server that
// stalls cannot hold a message past the lease. go-mail's Send is not used
// for the transaction itself, as it sends RSET after the 250 and returns
// only then.
func (t *smtpTransport) send(ctx context.Context, m *gomail.Msg, _ string, accepted func()) error {
	c, err := t.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", t.display, err)
	}
	// Close the connection itself: smtp.Client.Close waits for the
	// command in flight. Dialling did STARTTLS, so c.Text is final.
	text := c.Text
	stop := context.AfterFunc(ctx, func() { _ = text.Close() })
	defer stop()
	if err := transaction(c, m); err != nil {
		_ = text.Close()
		if ctx.Err() != nil {
			return fmt.Errorf("send via %s: %w (%w)", t.display, ctx.Err(), err)
		}
		return fmt.Errorf("send via %s: %w", t.display, err)
	}
	accepted()
	if err := c.Quit(); err != nil {
		_ = text.Close()
	}
	return nil
}

// transaction is one SMTP mail transaction (RFC 5321 section 3.3): MAIL,
// RCPT for each recipient, DATA, and the server's answer to the data.
func transaction(c *smtp.Client, m *gomail.Msg) error {
	from, err := m.GetSender(false)
	if err != nil {
		return permanentError{fmt.Errorf("sender: %w", err)}
	}
	rcpts, err := m.GetRecipients()
	if err != nil {
		return permanentError{fmt.Errorf("recipients: %w", err)}
	}
	if err := c.Mail(from); err != nil {
		return &smtpError{command: "MAIL", err: err}
	}
	for _, to := range rcpts {
		if err := c.Rcpt(to); err != nil {
			return &smtpError{command: "RCPT", err: err}
		}
	}
	w, err := c.Data()
	if err != nil {
		return &smtpError{command: "DATA", err: err}
	}
	if _, err := m.WriteTo(w); err != nil {
		return fmt.Errorf("write the data: %w", err)
	}
	if err := w.Close(); err != nil {
		return &smtpError{command: "end of data", err: err}
	}
	return nil
}

// smtpError is a command's failure, with the server's reply when it gave
// one (a *textproto.Error).
type smtpError struct {
	command string
	err     error
}

func (e *smtpError) Error() string { return e.command + ": " + e.err.Error() }
func (e *smtpError) Unwrap() error { return e.err }

// dirTransport writes each message to a folder as an .eml file, for a
// newcomer without a mail server to read what would have been sent. The
// file is named after the Message-ID, so a message sent again replaces
// its first copy.
type dirTransport struct {
	dir string
	log *slog.Logger
}

func (t *dirTransport) String() string { return "folder " + t.dir }

func (t *dirTransport) send(_ context.Context, m *gomail.Msg, name string, accepted func()) error {
	if err := os.MkdirAll(t.dir, 0o750); err != nil {
		return fmt.Errorf("mail folder: %w", err)
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	path := filepath.Join(t.dir, name+".eml")
	tmp, err := os.CreateTemp(t.dir, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("mail folder: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	accepted()
	// The path only: the address is personal data.
	t.log.Info("notify: no mail server configured; message written to a file", "path", path)
	return nil
}
