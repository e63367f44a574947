package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
)

// demandRow is a row of unmet_demand.
type demandRow struct {
	TopicSlug string `db:"topic_slug"`
	Date      string `db:"date"`
	Language  string `db:"language"`
	Mode      string `db:"mode"`
	Campus    string `db:"campus"`
}

// RecordDemand stores a search that found no slot. It holds no personal
// data (booking.DemandRecord has none to hold).
func (s *Store) RecordDemand(ctx context.Context, d booking.DemandRecord) error {
	if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
		return fmt.Errorf("store: record demand: date %q: %w", d.Date, booking.ErrInvalid)
	}
	mode, err := booking.ParseMode(string(d.Mode))
	if err != nil {
		return fmt.Errorf("store: record demand: %w", err)
	}
	for _, f := range []struct{ field, value string }{{"topic", d.TopicSlug}, {"language", d.Language}, {"campus", d.Campus}} {
		if err := validText(f.field, f.value, f.field == "topic", maxCatalogNameLen); err != nil {
			return fmt.Errorf("store: record demand: %w", err)
		}
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	_, err = s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO unmet_demand (topic_slug, date, language, mode, campus, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`),
		d.TopicSlug, d.Date, strings.ToLower(d.Language), string(mode), d.Campus, s.now().Unix())
	if err != nil {
		return fmt.Errorf("store: record demand: %w", dbErr(err))
	}
	return nil
}

// Demand lists the unmet demand recorded for local dates from fromDate to
// toDate, both included ("2006-01-02"; empty is open), oldest first.
func (s *Store) Demand(ctx context.Context, fromDate, toDate string) ([]booking.DemandRecord, error) {
	if fromDate == "" {
		fromDate = "0000-00-00"
	}
	if toDate == "" {
		toDate = "9999-99-99"
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []demandRow
	// ISO dates sort as text, in both databases.
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT topic_slug, date, language, mode, campus
		FROM unmet_demand
		WHERE date >= ? AND date <= ?
		ORDER BY date, id`), fromDate, toDate)
	if err != nil {
		return nil, fmt.Errorf("store: demand: %w", dbErr(err))
	}
	out := make([]booking.DemandRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, booking.DemandRecord{TopicSlug: r.TopicSlug, Date: r.Date, Language: r.Language,
			Mode: booking.Mode(r.Mode), Campus: r.Campus})
	}
	return out, nil
}
