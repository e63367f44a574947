package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type fakeCounts struct{ err error }

func (f fakeCounts) BookingCounts(context.Context) (int64, map[string]int64, error) {
	return 7, map[string]int64{"student": 2, "admin": 1}, f.err
}

func (f fakeCounts) OutboxBacklog(context.Context) (int64, error) { return 3, f.err }

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestMetrics(t *testing.T) {
	m := New(fakeCounts{}, nil)
	m.ObserveHTTP("/booking/:token", "GET", 200, 20*time.Millisecond)
	m.ObserveHTTP("/api/bookings", "BREW", 405, time.Millisecond)
	dav := m.CalDAV(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "PUT" {
			w.WriteHeader(http.StatusCreated)
			return
		}
		io.WriteString(w, "ok") // an implicit 200
	}))
	for _, method := range []string{"PUT", "PROPFIND", "PROPFIND"} {
		dav.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/dav/", nil))
	}
	got := scrape(t, m)
	for _, want := range []string{
		`veileder_http_requests_total{method="GET",route="/booking/:token",status="200"} 1`,
		`veileder_http_requests_total{method="OTHER",route="/api/bookings",status="405"} 1`,
		`veileder_http_request_duration_seconds_bucket{method="GET",route="/booking/:token",le="0.025"} 1`,
		`veileder_caldav_requests_total{method="PUT",status="201"} 1`,
		`veileder_caldav_requests_total{method="PROPFIND",status="200"} 2`,
		`veileder_bookings_created_total 7`,
		`veileder_bookings_cancelled_total{by="student"} 2`,
		`veileder_bookings_cancelled_total{by="librarian"} 0`,
		`veileder_outbox_pending 3`,
		`veileder_metrics_database_up 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// A failing database is a 0, not a failed scrape.
	if got := scrape(t, New(fakeCounts{err: errors.New("down")}, nil)); !strings.Contains(got, "veileder_metrics_database_up 0") {
		t.Errorf("with the database down: want veileder_metrics_database_up 0")
	}
}

// Instruments registered through Registerer are served with the rest.
func TestRegisterer(t *testing.T) {
	m := New(nil, nil)
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "veileder_mail_sent_total", Help: "test"}, []string{"kind"})
	if err := m.Registerer().Register(c); err != nil {
		t.Fatal(err)
	}
	c.WithLabelValues("confirmation").Add(2)
	if got, want := scrape(t, m), `veileder_mail_sent_total{kind="confirmation"} 2`; !strings.Contains(got, want) {
		t.Errorf("metrics lack %s:\n%s", want, got)
	}
	// Each Metrics has its own registry: a second one is no conflict.
	if err := New(nil, nil).Registerer().Register(c); err != nil {
		t.Errorf("registering on a second Metrics: %v", err)
	}
}
