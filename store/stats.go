package store

import (
	"context"
	"fmt"
	"time"

	"github.com/veileder/veileder/booking"
)

// factRow is one booking as the statistics see it (booking.BookingFact).
type factRow struct {
	TopicSlug     string `db:"topic_slug"`
	TopicNameNB   string `db:"topic_name_nb"`
	TopicNameEN   string `db:"topic_name_en"`
	ServiceSlug   string `db:"service_slug"`
	ServiceNameNB string `db:"service_name_nb"`
	ServiceNameEN string `db:"service_name_en"`
	LibrarianID   int64  `db:"librarian_id"`
	LibrarianName string `db:"librarian_name"`
	StartAt       int64  `db:"start_at"`
	EndAt         int64  `db:"end_at"`
	CreatedAt     int64  `db:"created_at"`
	Status        string `db:"status"`
	CancelledBy   string `db:"cancelled_by"`
	NoShow        bool   `db:"no_show"`
	StudyLevel    string `db:"study_level"`
	Language      string `db:"language"`
	Online        bool   `db:"online"`
}

// BookingFacts lists the bookings whose meeting starts in [from, to), as
// the statistics see them: without personal data.
func (s *Store) BookingFacts(ctx context.Context, from, to time.Time) ([]booking.BookingFact, error) {
	lo, hi := openRange(from, to)
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []factRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT t.slug AS topic_slug, t.name_nb AS topic_name_nb, t.name_en AS topic_name_en,
		       sv.slug AS service_slug, sv.name_nb AS service_name_nb, sv.name_en AS service_name_en,
		       b.librarian_id, CASE WHEN u.display_name = '' THEN u.username ELSE u.display_name END AS librarian_name,
		       b.start_at, b.end_at, b.created_at, b.status, b.cancelled_by, b.no_show,
		       b.study_level, b.language, b.online
		FROM bookings b
		JOIN topics t ON t.id = b.topic_id
		JOIN services sv ON sv.id = t.service_id
		JOIN users u ON u.id = b.librarian_id
		WHERE b.start_at >= ? AND b.start_at < ?
		ORDER BY b.start_at, b.id`), lo, hi)
	if err != nil {
		return nil, fmt.Errorf("store: booking facts: %w", dbErr(err))
	}
	out := make([]booking.BookingFact, 0, len(rows))
	for _, r := range rows {
		out = append(out, booking.BookingFact{
			TopicSlug: r.TopicSlug, TopicNameNB: r.TopicNameNB, TopicNameEN: r.TopicNameEN,
			ServiceSlug: r.ServiceSlug, ServiceNameNB: r.ServiceNameNB, ServiceNameEN: r.ServiceNameEN,
			LibrarianID: r.LibrarianID, LibrarianName: r.LibrarianName,
			Start: fromUnix(r.StartAt), End: fromUnix(r.EndAt), Created: fromUnix(r.CreatedAt),
			Status: booking.Status(r.Status), CancelledBy: booking.Party(r.CancelledBy), NoShow: r.NoShow,
			StudyLevel: r.StudyLevel, Language: r.Language, Online: r.Online,
		})
	}
	return out, nil
}

// Statistics computes the statistics of the meetings starting in [from,
// to), with weeks in loc (see booking.Summarise).
func (s *Store) Statistics(ctx context.Context, from, to time.Time, loc *time.Location) (booking.Stats, error) {
	facts, err := s.BookingFacts(ctx, from, to)
	if err != nil {
		return booking.Stats{}, err
	}
	demand, err := s.Demand(ctx, from.In(loc).Format(time.DateOnly), to.In(loc).Add(-time.Nanosecond).Format(time.DateOnly))
	if err != nil {
		return booking.Stats{}, err
	}
	listing, err := s.AllTopics(ctx)
	if err != nil {
		return booking.Stats{}, err
	}
	topics := make([]booking.Topic, 0, len(listing))
	for _, t := range listing {
		topics = append(topics, t.Topic)
	}
	return booking.Summarise(facts, demand, topics, from, to, loc), nil
}

// BookingCounts returns how many bookings were ever made and how many are
// cancelled, by who cancelled them, for the metrics. Bookings are never
// deleted (only anonymised), so both only grow.
func (s *Store) BookingCounts(ctx context.Context) (created int64, cancelledBy map[string]int64, err error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []struct {
		Status      string `db:"status"`
		CancelledBy string `db:"cancelled_by"`
		N           int64  `db:"n"`
	}
	err = s.db.SelectContext(ctx, &rows, `
		SELECT status, cancelled_by, COUNT(*) AS n FROM bookings GROUP BY status, cancelled_by`)
	if err != nil {
		return 0, nil, fmt.Errorf("store: booking counts: %w", dbErr(err))
	}
	cancelledBy = map[string]int64{}
	for _, r := range rows {
		created += r.N
		if r.Status == string(booking.StatusCancelled) {
			cancelledBy[r.CancelledBy] += r.N
		}
	}
	return created, cancelledBy, nil
}

// OutboxBacklog returns how many messages wait in the outbox.
func (s *Store) OutboxBacklog(ctx context.Context) (int64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var n int64
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM outbox WHERE status = 'pending'`); err != nil {
		return 0, fmt.Errorf("store: outbox backlog: %w", dbErr(err))
	}
	return n, nil
}
