package notify

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what senders and reminder jobs do, by message kind. One
// Metrics may serve several senders.
type Metrics struct {
	sent, retried, failed, skipped *prometheus.CounterVec
	reminders                      prometheus.Counter
}

// NewMetrics returns unregistered counters; Register exposes them.
func NewMetrics() *Metrics {
	vec := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "veileder", Subsystem: "mail", Name: name, Help: help}, []string{"kind"})
	}
	m := &Metrics{
		sent:    vec("sent_total", "Messages handed to the mail server (or written to the mail folder)."),
		retried: vec("retried_total", "Failed attempts that will be retried."),
		failed:  vec("failed_total", "Messages marked failed: refused for good or out of attempts. An admin must look."),
		skipped: vec("skipped_total", "Messages not sent on purpose: booking anonymised or gone, or superseded."),
		reminders: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "veileder", Subsystem: "mail", Name: "reminders_queued_total",
			Help: "Reminders queued by this replica's reminder job."}),
	}
	// Every kind starts at zero, so that the series exist from the first
	// scrape and rate() and alerts on failed_total see the first failure.
	for _, v := range []*prometheus.CounterVec{m.sent, m.retried, m.failed, m.skipped} {
		for _, k := range kinds {
			v.WithLabelValues(string(k))
		}
	}
	return m
}

// Register registers the counters with r. Counters that r already has
// (another App in the same process registered them) are shared.
func (m *Metrics) Register(r prometheus.Registerer) error {
	for _, p := range []**prometheus.CounterVec{&m.sent, &m.retried, &m.failed, &m.skipped} {
		v, err := register(r, *p)
		if err != nil {
			return err
		}
		*p = v
	}
	c, err := register(r, m.reminders)
	if err != nil {
		return err
	}
	m.reminders = c
	return nil
}

func register[C prometheus.Collector](r prometheus.Registerer, c C) (C, error) {
	err := r.Register(c)
	if are, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); ok {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}
