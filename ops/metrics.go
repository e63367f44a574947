// Package ops holds what IT operations watch: Prometheus metrics for the
// web front, the CalDAV server, bookings and the outbox.
//
// Request metrics are counted in each process. Bookings and the outbox
// backlog are read from the database at scrape time, so that every
// replica reports the same, complete numbers, whichever replica (or
// calendar app, through CalDAV) made the change: aggregate them across
// replicas with max, not sum.
package ops

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Counts is what the database-backed metrics read at each scrape.
type Counts interface {
	// BookingCounts returns how many bookings were ever made, and how
	// many are cancelled, by who cancelled them.
	BookingCounts(ctx context.Context) (created int64, cancelledBy map[string]int64, err error)
	// OutboxBacklog returns how many messages wait to be sent.
	OutboxBacklog(ctx context.Context) (int64, error)
}

// Metrics is the service's Prometheus registry and its instruments. It
// is safe for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	davRequests  *prometheus.CounterVec
	davDuration  *prometheus.HistogramVec
}

// New builds the metrics; counts, when not nil, adds the bookings and
// outbox gauges. logger gets scrape-time errors.
func New(counts Counts, logger *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "veileder_http_requests_total",
		Help: "Web and API requests, by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "veileder_http_request_duration_seconds",
		Help:    "Web and API request latency, by route pattern and method.",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	m.davRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "veileder_caldav_requests_total",
		Help: "CalDAV requests, by method and status.",
	}, []string{"method", "status"})
	m.davDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "veileder_caldav_request_duration_seconds",
		Help:    "CalDAV request latency, by method.",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	}, []string{"method"})
	m.reg.MustRegister(m.httpRequests, m.httpDuration, m.davRequests, m.davDuration)
	if counts != nil {
		if logger == nil {
			logger = slog.New(slog.DiscardHandler)
		}
		m.reg.MustRegister(&dbCollector{counts: counts, log: logger})
	}
	return m
}

// Registerer is the registry Handler serves, for other packages'
// instruments (the mail counters), so that one /metrics shows them all.
func (m *Metrics) Registerer() prometheus.Registerer { return m.reg }

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveHTTP counts one web request. route is the route pattern, never
// the path, which would hold manage tokens.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	method = knownMethod(method)
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// CalDAV wraps the CalDAV handler to count its requests.
func (m *Metrics) CalDAV(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		method := knownMethod(r.Method)
		m.davRequests.WithLabelValues(method, strconv.Itoa(sw.status)).Inc()
		m.davDuration.WithLabelValues(method).Observe(time.Since(start).Seconds())
	})
}

// knownMethod keeps the method label to a known set, so that a client
// sending made-up methods cannot grow the series without bound.
func knownMethod(m string) string {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
		"PROPFIND", "PROPPATCH", "REPORT", "MKCALENDAR", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK":
		return m
	}
	return "OTHER"
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// dbCollector reads the booking counters and the outbox backlog from the
// database at each scrape.
type dbCollector struct {
	counts Counts
	log    *slog.Logger
}

var (
	bookingsCreatedDesc = prometheus.NewDesc("veileder_bookings_created_total",
		"Bookings ever made (the database's count: aggregate replicas with max).", nil, nil)
	bookingsCancelledDesc = prometheus.NewDesc("veileder_bookings_cancelled_total",
		"Bookings cancelled, by who cancelled (the database's count).", []string{"by"}, nil)
	outboxDesc = prometheus.NewDesc("veileder_outbox_pending",
		"Messages waiting in the outbox to be sent.", nil, nil)
	scrapeErrorDesc = prometheus.NewDesc("veileder_metrics_database_up",
		"1 if the database answered the metrics queries at this scrape.", nil, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- bookingsCreatedDesc
	ch <- bookingsCancelledDesc
	ch <- outboxDesc
	ch <- scrapeErrorDesc
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	up := 1.0
	created, byParty, err := c.counts.BookingCounts(ctx)
	if err == nil {
		ch <- prometheus.MustNewConstMetric(bookingsCreatedDesc, prometheus.CounterValue, float64(created))
		for _, party := range []string{"student", "librarian", "admin", "system"} {
			ch <- prometheus.MustNewConstMetric(bookingsCancelledDesc, prometheus.CounterValue, float64(byParty[party]), party)
		}
	} else {
		c.log.Warn("metrics: booking counts", "err", err)
		up = 0
	}
	backlog, err := c.counts.OutboxBacklog(ctx)
	if err == nil {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(backlog))
	} else {
		c.log.Warn("metrics: outbox backlog", "err", err)
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrorDesc, prometheus.GaugeValue, up)
}

// ExternalFeeds is what the external-calendar gauges read at each scrape.
type ExternalFeeds interface {
	// ExternalFeedCounts returns how many external calendars there are in
	// each state (pending, ok, failing), and how many have been failing
	// for longer than the threshold after which they are flagged.
	ExternalFeedCounts(ctx context.Context) (byState map[string]int64, flagged int64, err error)
}

var (
	externalDesc = prometheus.NewDesc("veileder_external_calendars",
		"External calendars (published ICS links), by fetch state (the database's count).", []string{"state"}, nil)
	externalFlaggedDesc = prometheus.NewDesc("veileder_external_calendars_flagged",
		"External calendars failing for longer than the flag threshold; their last good events still count.", nil, nil)
)

// WatchExternal adds the external-calendar gauges, read from feeds at
// each scrape: alert on veileder_external_calendars_flagged > 0.
func (m *Metrics) WatchExternal(feeds ExternalFeeds, logger *slog.Logger) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m.reg.MustRegister(&externalCollector{feeds: feeds, log: logger})
}

type externalCollector struct {
	feeds ExternalFeeds
	log   *slog.Logger
}

func (c *externalCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- externalDesc
	ch <- externalFlaggedDesc
}

func (c *externalCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	byState, flagged, err := c.feeds.ExternalFeedCounts(ctx)
	if err != nil {
		c.log.Warn("metrics: external calendars", "err", err)
		return
	}
	for _, state := range []string{"pending", "ok", "failing"} {
		ch <- prometheus.MustNewConstMetric(externalDesc, prometheus.GaugeValue, float64(byState[state]), state)
	}
	ch <- prometheus.MustNewConstMetric(externalFlaggedDesc, prometheus.GaugeValue, float64(flagged))
}
