// Package external reads librarians' calendars held elsewhere (Exchange /
// Microsoft 365, Google) through their published ICS links: it fetches
// each feed on a schedule, safely, and turns it into the busy time and
// availability windows that the slot search reads from the store.
//
// Fetching (this file) is an HTTP client hardened for addresses that users
// paste: only https (webcal means https), no private, loopback or
// link-local destinations unless allowed, checked on the address actually
// dialled; bounded time, size and redirects; conditional GET. Reading
// (interpret.go) expands the feed with package recurrence, the same code
// that reads the librarians' own calendars. The job (service.go) decides
// when each calendar is due and records the outcome.
package external

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/veileder/veileder/booking"
)

// Defaults for Config's zero fields.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBytes     = 10 << 20
	DefaultMaxRedirects = 3
)

// UserAgent is sent with every fetch. Microsoft's feed servers answer some
// unknown user agents with 500, so it reads as a browser's, and names the
// service after it so that a feed's operator can tell who fetches.
const UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Veileder/1.0"

// FeedError is a fetch or feed that failed in a way a person can act on.
// Its text is for the librarian (and stored with the calendar): it never
// holds the URL, which is a secret.
//
// Reason and Arg say the same for a front that speaks the librarian's
// language: Reason names the failure, Arg is the one value its text
// shows (a status code, a size, a duration, a count), or empty.
type FeedError struct {
	Reason Reason
	Arg    string
	Msg    string
}

// Reason names why an address or a feed was refused.
type Reason string

// The reasons of FeedError.
const (
	ReasonEmpty            Reason = "empty"
	ReasonNotURL           Reason = "not_url"
	ReasonHTTP             Reason = "http"
	ReasonScheme           Reason = "scheme"
	ReasonUserinfo         Reason = "userinfo"
	ReasonNoHost           Reason = "no_host"
	ReasonRedirects        Reason = "redirects"
	ReasonRedirectInsecure Reason = "redirect_insecure"
	ReasonRedirectScheme   Reason = "redirect_scheme"
	ReasonForbidden        Reason = "forbidden"
	ReasonNotFound         Reason = "not_found"
	ReasonServerError      Reason = "server_error"
	ReasonStatus           Reason = "status"
	ReasonTooBig           Reason = "too_big"
	ReasonEmptyAnswer      Reason = "empty_answer"
	ReasonBinary           Reason = "binary"
	ReasonHTML             Reason = "html"
	ReasonNotICS           Reason = "not_ics"
	ReasonPrivate          Reason = "private"
	ReasonTimeout          Reason = "timeout"
	ReasonStopped          Reason = "stopped"
	ReasonDNS              Reason = "dns"
	ReasonCertificate      Reason = "certificate"
	ReasonRefused          Reason = "refused"
	ReasonUnreachable      Reason = "unreachable"
	ReasonInvalid          Reason = "invalid"
	ReasonSlow             Reason = "slow"
	ReasonTooMany          Reason = "too_many"
)

// Reasons lists every Reason, so that a front can check it has a text
// for each.
var Reasons = []Reason{
	ReasonEmpty, ReasonNotURL, ReasonHTTP, ReasonScheme, ReasonUserinfo, ReasonNoHost,
	ReasonRedirects, ReasonRedirectInsecure, ReasonRedirectScheme, ReasonForbidden, ReasonNotFound,
	ReasonServerError, ReasonStatus, ReasonTooBig, ReasonEmptyAnswer, ReasonBinary, ReasonHTML,
	ReasonNotICS, ReasonPrivate, ReasonTimeout, ReasonStopped, ReasonDNS, ReasonCertificate,
	ReasonRefused, ReasonUnreachable, ReasonInvalid, ReasonSlow, ReasonTooMany,
}

func (e *FeedError) Error() string { return e.Msg }

// Unwrap makes every FeedError a booking.ErrInvalid: the address or the
// feed behind it is wrong, not the service.
func (e *FeedError) Unwrap() error { return booking.ErrInvalid }

// feedErr makes a FeedError; arg, when not empty, is the value its
// English text shows too.
func feedErr(r Reason, arg any, format string, args ...any) error {
	e := &FeedError{Reason: r, Msg: fmt.Sprintf(format, args...)}
	if arg != nil {
		e.Arg = fmt.Sprint(arg)
	}
	return e
}

// NormalizeURL checks an address a user gave for an external calendar and
// returns the one to fetch: https, or webcal/webcals, which calendar apps
// use for the same https address. Plain http is accepted only with
// allowInsecure (tests, on-premises servers). An address with a user name
// or password is refused: a published link carries its secret in the path.
func NormalizeURL(raw string, allowInsecure bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", feedErr(ReasonEmpty, nil, "the calendar address is empty")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", feedErr(ReasonNotURL, nil, "the calendar address is not a web address (it should start with https:// or webcal://)")
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "webcal", "webcals":
		u.Scheme = "https"
	case "http":
		if !allowInsecure {
			return "", feedErr(ReasonHTTP, nil, "the calendar address must start with https:// or webcal://, not http://")
		}
		u.Scheme = "http"
	default:
		return "", feedErr(ReasonScheme, nil, "the calendar address must start with https:// or webcal://")
	}
	if u.User != nil {
		return "", feedErr(ReasonUserinfo, nil, "the calendar address must not hold a user name or password")
	}
	if u.Hostname() == "" {
		return "", feedErr(ReasonNoHost, nil, "the calendar address has no host name")
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}

// fetcher fetches feeds over one hardened HTTP client.
type fetcher struct {
	client       *http.Client
	timeout      time.Duration
	maxBytes     int64
	allowPrivate bool
	// permit, when set, lets tests name the one local server that counts
	// as public, to show that a redirect from it to another local address
	// is refused.
	permit func(netip.AddrPort) bool
}

// errPrivate marks a dial refused by the address rule.
var errPrivate = errors.New("private address refused")

func newFetcher(timeout time.Duration, maxBytes int64, maxRedirects int, allowPrivate bool) *fetcher {
	f := &fetcher{timeout: timeout, maxBytes: maxBytes, allowPrivate: allowPrivate}
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		// The address rule is checked here, on the address being dialled
		// after name resolution, for every connection (redirects
		// included): a host name that resolves to 127.0.0.1, or DNS that
		// changes between a check and the dial, cannot reach the inside.
		Control: func(network, address string, _ syscall.RawConn) error {
			if f.allowPrivate {
				return nil
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", errPrivate, address)
			}
			if f.permit != nil && f.permit(ap) {
				return nil
			}
			if !publicAddr(ap.Addr()) {
				return errPrivate
			}
			return nil
		},
	}
	transport := &http.Transport{
		// No proxy from the environment: a proxy would dial for us and
		// the address rule would check the proxy instead of the feed.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          10,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
		// Go asks for gzip and unpacks it itself; the size limit applies
		// to the unpacked body.
	}
	f.client = &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return feedErr(ReasonRedirects, maxRedirects, "the calendar address redirects more than %d times", maxRedirects)
			}
			switch req.URL.Scheme {
			case "https":
			case "http":
				if !allowPrivate {
					return feedErr(ReasonRedirectInsecure, nil, "the calendar address redirects to an insecure (http) address")
				}
			default:
				return feedErr(ReasonRedirectScheme, nil, "the calendar address redirects to something that is not a web address")
			}
			return nil
		},
	}
	return f
}

// publicAddr reports whether a may be dialled: not loopback, private
// (RFC 1918, RFC 4193), link-local, unspecified, multicast, or the
// carrier-grade NAT and benchmarking ranges, in IPv4 or IPv6 (mapped
// addresses are unmapped first).
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking (RFC 2544)
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// response is what one fetch got.
type response struct {
	notModified        bool
	body               []byte
	etag, lastModified string
}

// fetch GETs the feed at rawURL, conditionally on the validators of the
// last good fetch. The whole exchange, body included, runs under one
// deadline, so that a server that sends a byte a second cannot hold a
// fetch open. Every error is a *FeedError without the URL.
func (f *fetcher) fetch(ctx context.Context, rawURL, etag, lastModified string) (response, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return response{}, feedErr(ReasonNotURL, nil, "the calendar address is not a web address")
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "text/calendar, application/calendar+ics;q=0.9, */*;q=0.1")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return response{}, f.describe(ctx, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return response{notModified: true, etag: etag, lastModified: lastModified}, nil
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden:
		return response{}, feedErr(ReasonForbidden, resp.StatusCode, "the calendar server refused access (%d): the link may have been reset or unpublished", resp.StatusCode)
	case resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusGone:
		return response{}, feedErr(ReasonNotFound, resp.StatusCode, "the calendar server has no calendar at this address (%d): it may have been unpublished", resp.StatusCode)
	case resp.StatusCode >= 500:
		return response{}, feedErr(ReasonServerError, resp.StatusCode, "the calendar server answered %d (a server error)", resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return response{}, feedErr(ReasonStatus, resp.StatusCode, "the calendar server answered %d", resp.StatusCode)
	}
	if resp.ContentLength > f.maxBytes {
		return response{}, feedErr(ReasonTooBig, size(f.maxBytes), "the calendar is larger than %s", size(f.maxBytes))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return response{}, f.describe(ctx, err)
	}
	if int64(len(body)) > f.maxBytes {
		return response{}, feedErr(ReasonTooBig, size(f.maxBytes), "the calendar is larger than %s", size(f.maxBytes))
	}
	if err := sniff(body); err != nil {
		return response{}, err
	}
	return response{body: body, etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified")}, nil
}

// sniff refuses what is not an iCalendar file, by its content rather than
// its Content-Type, which feed servers get wrong either way.
func sniff(body []byte) error {
	b := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(b) == 0:
		return feedErr(ReasonEmptyAnswer, nil, "the calendar address gives an empty answer")
	case bytes.IndexByte(b[:min(len(b), 8192)], 0) >= 0 || !utf8.Valid(b[:min(len(b), 64)]) && !bytes.HasPrefix(b, []byte("BEGIN:")):
		// NUL bytes, or no text where a calendar begins. A calendar in
		// another charset than UTF-8 (RFC 5545 §3.1.4 asks for UTF-8)
		// passes here and is read as well as it can be.
		return feedErr(ReasonBinary, nil, "the calendar address gives binary data, not a calendar")
	case b[0] == '<':
		return feedErr(ReasonHTML, nil, "the calendar address gives a web page, not a calendar: use the ICS link, not the page's address")
	case len(b) < 15 || !strings.EqualFold(string(b[:15]), "BEGIN:VCALENDAR"):
		return feedErr(ReasonNotICS, nil, "the calendar address does not give an iCalendar (.ics) file")
	}
	return nil
}

// describe turns a transport error into a FeedError. net/http's errors
// quote the URL, so their text is never passed on.
func (f *fetcher) describe(ctx context.Context, err error) error {
	var fe *FeedError
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.Is(err, errPrivate):
		return feedErr(ReasonPrivate, nil, "the calendar address leads to a private, loopback or link-local network address, which is not allowed")
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return feedErr(ReasonTimeout, f.timeout, "the calendar server did not send the calendar within %s", f.timeout)
	case errors.Is(err, context.Canceled):
		return feedErr(ReasonStopped, nil, "the fetch was stopped")
	case errors.As(err, &dnsErr):
		return feedErr(ReasonDNS, nil, "the calendar server's name does not resolve")
	case errors.As(err, &certErr):
		return feedErr(ReasonCertificate, nil, "the calendar server's certificate is not valid")
	case errors.Is(err, syscall.ECONNREFUSED):
		return feedErr(ReasonRefused, nil, "the calendar server refused the connection")
	}
	return feedErr(ReasonUnreachable, nil, "the calendar server could not be reached")
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// FeedReason gives a front the reason and its value, to say in the
// librarian's language.
func (e *FeedError) FeedReason() (reason, arg string) { return string(e.Reason), e.Arg }
