package app

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Deadlines for reading a request. Every body has a deadline of its own,
// so that a client that sends a few bytes a second (by accident, or two
// hundred of them on purpose) cannot hold a handler and a database
// connection for as long as it likes; the deadline grows with the declared
// size at a rate that any real link reaches, so a calendar app uploading a
// 1 MiB event from a phone is never cut off.
const (
	// DefaultBodyDeadline is the time a request body of unknown or small
	// size gets; BodyRate more bytes a second are added for a declared
	// Content-Length.
	DefaultBodyDeadline = 10 * time.Second
	// BodyRate is the slowest upload, in bytes a second, the deadline
	// still allows for a large body.
	BodyRate = 32 << 10
	// maxBodyDeadline caps the deadline whatever the declared size
	// (bodies are bounded by the handlers: 1 MiB for CalDAV, 128 KiB for
	// forms).
	maxBodyDeadline = 2 * time.Minute
	// hstsMaxAge is one year, what browsers' preload lists ask for; no
	// includeSubDomains, since a university's other hosts are not ours
	// to pin to HTTPS.
	hstsHeader = "max-age=31536000"
)

// HTTPServer is the server main runs the handler with: header and idle
// timeouts here, per-request body deadlines in the handler (bodyDeadline).
func (a *App) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}

// secureHeaders adds HSTS when the service is served over HTTPS (RFC
// 6797 §7.2: only on secure transport, which the base URL says, since TLS
// usually ends at the load balancer in front of us).
func secureHeaders(baseURL string, next http.Handler) http.Handler {
	if !strings.HasPrefix(baseURL, "https://") {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", hstsHeader)
		next.ServeHTTP(w, r)
	})
}

// bodyDeadline sets a read deadline on the connection for the request's
// body (base plus the declared length at BodyRate, at most
// maxBodyDeadline). A body that does not arrive in time is answered 408
// Request Timeout, and the connection is closed.
func bodyDeadline(base time.Duration, next http.Handler) http.Handler {
	if base <= 0 {
		base = DefaultBodyDeadline
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		d := base
		if r.ContentLength > 0 {
			d += time.Duration(r.ContentLength) * time.Second / BodyRate
		}
		d = min(d, maxBodyDeadline)
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(d)); err != nil {
			// A writer that cannot (an in-process test recorder): the
			// server's own timeouts still apply.
			next.ServeHTTP(w, r)
			return
		}
		tw := &timeoutWriter{ResponseWriter: w}
		r.Body = &deadlineBody{ReadCloser: r.Body, w: tw, rc: rc}
		next.ServeHTTP(tw, r)
	})
}

// deadlineBody notes a read that failed on the deadline, so that the
// answer is 408 whatever the handler made of the error.
type deadlineBody struct {
	io.ReadCloser
	w  *timeoutWriter
	rc *http.ResponseController
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case errors.Is(err, io.EOF):
		// The whole body is in: lift the deadline, or it would fire in
		// net/http's background read while the handler still works and
		// cancel the request's context.
		b.rc.SetReadDeadline(time.Time{})
	case err != nil && isTimeout(err):
		b.w.timeOut()
	}
	return n, err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// timeoutWriter passes the handler's answer through until the body's
// deadline passed; from then on it answers 408 itself and drops what the
// handler writes.
type timeoutWriter struct {
	http.ResponseWriter
	mu       sync.Mutex
	timedOut bool
	wrote    bool
}

func (w *timeoutWriter) timeOut() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timedOut || w.wrote {
		return
	}
	w.timedOut = true
	h := w.ResponseWriter.Header()
	for k := range h {
		if k != "Strict-Transport-Security" {
			delete(h, k)
		}
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Connection", "close")
	w.ResponseWriter.WriteHeader(http.StatusRequestTimeout)
	io.WriteString(w.ResponseWriter, "the request body did not arrive in time\n")
}

func (w *timeoutWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timedOut {
		return
	}
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *timeoutWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timedOut {
		return len(p), nil
	}
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines) through the wrapper.
func (w *timeoutWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes flushes through unless the answer is already the 408.
func (w *timeoutWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timedOut {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
