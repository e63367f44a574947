package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/veileder/veileder/booking"
)

// Catalogue limits. Names are shown in lists on a phone; descriptions are
// one or two lines.
const (
	maxCatalogNameLen = 200
	maxDescriptionLen = 2000
)

// ValidSlug reports whether s can be a service's or a topic's slug: 2 to 60
// of a-z, 0-9 and '-'. A topic's slug is also the #hashtag that librarians
// type in their calendar app, so it is kept to what survives every app.
func ValidSlug(s string) error {
	if len(s) < 2 || len(s) > 60 {
		return fmt.Errorf("slug %q must be 2 to 60 characters: %w", s, booking.ErrInvalid)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("slug %q may hold only a-z, 0-9 and '-': %w", s, booking.ErrInvalid)
		}
	}
	return nil
}

// validText checks a name (required) or a description against its limit
// and rejects what PostgreSQL would refuse (invalid UTF-8, NUL), so that
// both databases refuse the same input.
func validText(field, s string, required bool, max int) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return fmt.Errorf("%s is required: %w", field, booking.ErrInvalid)
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return fmt.Errorf("%s is not UTF-8 text: %w", field, booking.ErrInvalid)
	case utf8.RuneCountInString(s) > max:
		return fmt.Errorf("%s is longer than %d characters: %w", field, max, booking.ErrInvalid)
	}
	return nil
}

func validNames(nameNB, nameEN, descNB, descEN string) error {
	for _, f := range []struct {
		field, value string
		required     bool
		max          int
	}{
		{"Norwegian name", nameNB, true, maxCatalogNameLen},
		{"English name", nameEN, true, maxCatalogNameLen},
		{"Norwegian description", descNB, false, maxDescriptionLen},
		{"English description", descEN, false, maxDescriptionLen},
	} {
		if err := validText(f.field, f.value, f.required, f.max); err != nil {
			return err
		}
	}
	return nil
}

// rulesJSON is the stored form of a booking.RulesOverride: only the rules
// that are set, durations as Go duration strings ("45m0s") so that an
// operator can read and edit them.
type rulesJSON struct {
	MeetingLength         *jsonDuration `json:"meeting_length,omitempty"`
	SlotGrid              *jsonDuration `json:"slot_grid,omitempty"`
	MinNotice             *jsonDuration `json:"min_notice,omitempty"`
	Horizon               *jsonDuration `json:"horizon,omitempty"`
	Buffer                *jsonDuration `json:"buffer,omitempty"`
	MaxActivePerStudent   *int          `json:"max_active_per_student,omitempty"`
	MaxPerLibrarianPerDay *int          `json:"max_per_librarian_per_day,omitempty"`
}

type jsonDuration time.Duration

func (d jsonDuration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *jsonDuration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = jsonDuration(v)
	return nil
}

// encodeRules is NULL for an override that sets nothing.
func encodeRules(o booking.RulesOverride) (sql.NullString, error) {
	if o == (booking.RulesOverride{}) {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(rulesJSON{
		MeetingLength:         (*jsonDuration)(o.MeetingLength),
		SlotGrid:              (*jsonDuration)(o.SlotGrid),
		MinNotice:             (*jsonDuration)(o.MinNotice),
		Horizon:               (*jsonDuration)(o.Horizon),
		Buffer:                (*jsonDuration)(o.Buffer),
		MaxActivePerStudent:   o.MaxActivePerStudent,
		MaxPerLibrarianPerDay: o.MaxPerLibrarianPerDay,
	})
	if err != nil {
		return sql.NullString{}, fmt.Errorf("encode rules: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

func decodeRules(s sql.NullString) (booking.RulesOverride, error) {
	if !s.Valid || s.String == "" {
		return booking.RulesOverride{}, nil
	}
	var r rulesJSON
	if err := json.Unmarshal([]byte(s.String), &r); err != nil {
		return booking.RulesOverride{}, fmt.Errorf("stored rules %q: %w", s.String, err)
	}
	return booking.RulesOverride{
		MeetingLength:         (*time.Duration)(r.MeetingLength),
		SlotGrid:              (*time.Duration)(r.SlotGrid),
		MinNotice:             (*time.Duration)(r.MinNotice),
		Horizon:               (*time.Duration)(r.Horizon),
		Buffer:                (*time.Duration)(r.Buffer),
		MaxActivePerStudent:   r.MaxActivePerStudent,
		MaxPerLibrarianPerDay: r.MaxPerLibrarianPerDay,
	}, nil
}

// serviceRow is a row of services.
type serviceRow struct {
	ID                 int64          `db:"id"`
	Slug               string         `db:"slug"`
	NameNB             string         `db:"name_nb"`
	NameEN             string         `db:"name_en"`
	DescriptionNB      string         `db:"description_nb"`
	DescriptionEN      string         `db:"description_en"`
	Rules              sql.NullString `db:"rules"`
	MeetingURLTemplate string         `db:"meeting_url_template"`
	RequireSignIn      bool           `db:"require_signin"`
}

func (r serviceRow) service() (booking.Service, error) {
	rules, err := decodeRules(r.Rules)
	if err != nil {
		return booking.Service{}, fmt.Errorf("service %s: %w", r.Slug, err)
	}
	return booking.Service{
		ID:                 r.ID,
		Slug:               r.Slug,
		NameNB:             r.NameNB,
		NameEN:             r.NameEN,
		DescriptionNB:      r.DescriptionNB,
		DescriptionEN:      r.DescriptionEN,
		Rules:              rules,
		MeetingURLTemplate: r.MeetingURLTemplate,
		RequireSignIn:      r.RequireSignIn,
	}, nil
}

// CreateService stores a new service. booking.ErrInvalid for a bad slug,
// missing names or rules that cannot work; booking.ErrConflict when the
// slug is taken.
func (s *Store) CreateService(ctx context.Context, svc booking.Service) (booking.Service, error) {
	if err := validService(svc); err != nil {
		return booking.Service{}, fmt.Errorf("store: create service %s: %w", svc.Slug, err)
	}
	rules, err := encodeRules(svc.Rules)
	if err != nil {
		return booking.Service{}, fmt.Errorf("store: create service %s: %w", svc.Slug, err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row serviceRow
	err = s.db.GetContext(ctx, &row, s.db.Rebind(`
		INSERT INTO services (slug, name_nb, name_en, description_nb, description_en, rules, meeting_url_template)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		RETURNING id, slug, name_nb, name_en, description_nb, description_en, rules, meeting_url_template, require_signin`),
		svc.Slug, strings.TrimSpace(svc.NameNB), strings.TrimSpace(svc.NameEN), svc.DescriptionNB, svc.DescriptionEN, rules,
		strings.TrimSpace(svc.MeetingURLTemplate))
	if err != nil {
		return booking.Service{}, fmt.Errorf("store: create service %s: %w", svc.Slug, dbErr(err))
	}
	created, err := row.service()
	if err != nil {
		return booking.Service{}, fmt.Errorf("store: create service %s: %w", svc.Slug, err)
	}
	return created, nil
}

func validService(svc booking.Service) error {
	if err := ValidSlug(svc.Slug); err != nil {
		return err
	}
	if err := validNames(svc.NameNB, svc.NameEN, svc.DescriptionNB, svc.DescriptionEN); err != nil {
		return err
	}
	if err := booking.DefaultRules().With(svc.Rules).Validate(); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	return booking.ValidMeetingTemplate(strings.TrimSpace(svc.MeetingURLTemplate))
}

// Services lists every service, oldest first.
func (s *Store) Services(ctx context.Context) ([]booking.Service, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []serviceRow
	err := s.db.SelectContext(ctx, &rows, `
		SELECT id, slug, name_nb, name_en, description_nb, description_en, rules, meeting_url_template, require_signin
		FROM services
		ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: services: %w", dbErr(err))
	}
	out := make([]booking.Service, 0, len(rows))
	for _, r := range rows {
		svc, err := r.service()
		if err != nil {
			return nil, fmt.Errorf("store: services: %w", err)
		}
		out = append(out, svc)
	}
	return out, nil
}

// ServiceBySlug returns one service.
func (s *Store) ServiceBySlug(ctx context.Context, slug string) (booking.Service, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row serviceRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT id, slug, name_nb, name_en, description_nb, description_en, rules, meeting_url_template, require_signin
		FROM services
		WHERE slug = ?`), slug)
	if err != nil {
		return booking.Service{}, fmt.Errorf("store: service %s: %w", slug, dbErr(err))
	}
	svc, err := row.service()
	if err != nil {
		return booking.Service{}, fmt.Errorf("store: service %s: %w", slug, err)
	}
	return svc, nil
}

// topicRow is a row of topics with its service's slug.
type topicRow struct {
	ID            int64          `db:"id"`
	Slug          string         `db:"slug"`
	ServiceSlug   string         `db:"service_slug"`
	NameNB        string         `db:"name_nb"`
	NameEN        string         `db:"name_en"`
	DescriptionNB string         `db:"description_nb"`
	DescriptionEN string         `db:"description_en"`
	General       bool           `db:"general"`
	Rules         sql.NullString `db:"rules"`
	Active        bool           `db:"active"`
	SortOrder     int            `db:"sort_order"`
}

func (r topicRow) topic() (booking.Topic, error) {
	rules, err := decodeRules(r.Rules)
	if err != nil {
		return booking.Topic{}, fmt.Errorf("topic %s: %w", r.Slug, err)
	}
	return booking.Topic{
		ID:            r.ID,
		Slug:          r.Slug,
		ServiceSlug:   r.ServiceSlug,
		NameNB:        r.NameNB,
		NameEN:        r.NameEN,
		DescriptionNB: r.DescriptionNB,
		DescriptionEN: r.DescriptionEN,
		General:       r.General,
		Rules:         rules,
	}, nil
}

// topicSelect is the SELECT list and FROM of every topic query.
const topicSelect = `
	SELECT t.id, t.slug, s.slug AS service_slug, t.name_nb, t.name_en,
	       t.description_nb, t.description_en, t.general, t.rules, t.active, t.sort_order
	FROM topics t
	JOIN services s ON s.id = t.service_id`

// topicOrder lists topics by service, the general topic last in its
// service, then by the admins' order and age; never by name, which the
// two databases would sort differently.
const topicOrder = `
	ORDER BY t.service_id, t.general, t.sort_order, t.id`

// CreateTopic stores a new active topic in the service named by
// t.ServiceSlug. booking.ErrInvalid for a bad slug, missing names or rules
// that cannot work with the service's; booking.ErrNotFound when the
// service does not exist; booking.ErrConflict when the slug is taken.
func (s *Store) CreateTopic(ctx context.Context, t booking.Topic) (booking.Topic, error) {
	if err := ValidSlug(t.Slug); err != nil {
		return booking.Topic{}, fmt.Errorf("store: create topic: %w", err)
	}
	svc, rules, err := s.checkTopic(ctx, t)
	if err != nil {
		return booking.Topic{}, fmt.Errorf("store: create topic %s: %w", t.Slug, err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var id int64
	err = s.db.GetContext(ctx, &id, s.db.Rebind(`
		INSERT INTO topics (slug, service_id, name_nb, name_en, description_nb, description_en, general, rules)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`),
		t.Slug, svc.ID, strings.TrimSpace(t.NameNB), strings.TrimSpace(t.NameEN), t.DescriptionNB, t.DescriptionEN, t.General, rules)
	if err != nil {
		return booking.Topic{}, fmt.Errorf("store: create topic %s: %w", t.Slug, dbErr(err))
	}
	return s.TopicByID(ctx, id)
}

// checkTopic validates a topic's fields and rules against its service, and
// returns the service and the encoded rules.
func (s *Store) checkTopic(ctx context.Context, t booking.Topic) (booking.Service, sql.NullString, error) {
	if err := validNames(t.NameNB, t.NameEN, t.DescriptionNB, t.DescriptionEN); err != nil {
		return booking.Service{}, sql.NullString{}, err
	}
	svc, err := s.ServiceBySlug(ctx, t.ServiceSlug)
	if err != nil {
		return booking.Service{}, sql.NullString{}, err
	}
	if _, err := booking.EffectiveRules(booking.DefaultRules(), svc, t); err != nil {
		return booking.Service{}, sql.NullString{}, err
	}
	rules, err := encodeRules(t.Rules)
	if err != nil {
		return booking.Service{}, sql.NullString{}, err
	}
	return svc, rules, nil
}

// UpdateTopic stores a topic's changed service, names, descriptions,
// general flag and rules, found by t.ID. The slug is not changed: it is in
// the hashtags of librarians' availability windows. Errors as CreateTopic's.
func (s *Store) UpdateTopic(ctx context.Context, t booking.Topic) (booking.Topic, error) {
	svc, rules, err := s.checkTopic(ctx, t)
	if err != nil {
		return booking.Topic{}, fmt.Errorf("store: update topic %d: %w", t.ID, err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		UPDATE topics
		SET service_id = ?, name_nb = ?, name_en = ?, description_nb = ?, description_en = ?, general = ?, rules = ?
		WHERE id = ?`),
		svc.ID, strings.TrimSpace(t.NameNB), strings.TrimSpace(t.NameEN), t.DescriptionNB, t.DescriptionEN, t.General, rules, t.ID)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return booking.Topic{}, fmt.Errorf("store: update topic %d: %w", t.ID, dbErr(err))
	}
	return s.TopicByID(ctx, t.ID)
}

// SetTopicActive offers a topic to students or withdraws it. A withdrawn
// topic keeps its bookings and competences and can be offered again.
func (s *Store) SetTopicActive(ctx context.Context, topicID int64, active bool) error {
	if err := s.updateTopic(ctx, `UPDATE topics SET active = ? WHERE id = ?`, active, topicID); err != nil {
		return fmt.Errorf("store: set topic %d active: %w", topicID, err)
	}
	return nil
}

// SetTopicOrder moves a topic in its service's list: lower comes first.
func (s *Store) SetTopicOrder(ctx context.Context, topicID int64, order int) error {
	if err := s.updateTopic(ctx, `UPDATE topics SET sort_order = ? WHERE id = ?`, order, topicID); err != nil {
		return fmt.Errorf("store: set topic %d order: %w", topicID, err)
	}
	return nil
}

func (s *Store) updateTopic(ctx context.Context, query string, args ...any) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(query), args...)
	if err == nil {
		err = oneRow(res)
	}
	return dbErr(err)
}

// Topics lists the active topics, what students choose from, by service
// and order.
func (s *Store) Topics(ctx context.Context) ([]booking.Topic, error) {
	listing, err := s.topics(ctx, true)
	if err != nil {
		return nil, err
	}
	out := make([]booking.Topic, 0, len(listing))
	for _, t := range listing {
		out = append(out, t.Topic)
	}
	return out, nil
}

// AllTopics lists every topic, active or not, for admins.
func (s *Store) AllTopics(ctx context.Context) ([]booking.TopicListing, error) {
	return s.topics(ctx, false)
}

func (s *Store) topics(ctx context.Context, activeOnly bool) ([]booking.TopicListing, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	where := ``
	if activeOnly {
		where = `
	WHERE t.active`
	}
	var rows []topicRow
	if err := s.db.SelectContext(ctx, &rows, topicSelect+where+topicOrder); err != nil {
		return nil, fmt.Errorf("store: topics: %w", dbErr(err))
	}
	out := make([]booking.TopicListing, 0, len(rows))
	for _, r := range rows {
		t, err := r.topic()
		if err != nil {
			return nil, fmt.Errorf("store: topics: %w", err)
		}
		out = append(out, booking.TopicListing{Topic: t, Active: r.Active, SortOrder: r.SortOrder})
	}
	return out, nil
}

// TopicBySlug returns a topic, active or not: a booking of a withdrawn
// topic must still show it. Callers offering topics to students check
// that it is among Topics.
func (s *Store) TopicBySlug(ctx context.Context, slug string) (booking.Topic, error) {
	t, err := s.topicWhere(ctx, `
	WHERE t.slug = ?`, slug)
	if err != nil {
		return booking.Topic{}, fmt.Errorf("store: topic %s: %w", slug, err)
	}
	return t, nil
}

// TopicByID returns a topic, active or not.
func (s *Store) TopicByID(ctx context.Context, id int64) (booking.Topic, error) {
	t, err := s.topicWhere(ctx, `
	WHERE t.id = ?`, id)
	if err != nil {
		return booking.Topic{}, fmt.Errorf("store: topic %d: %w", id, err)
	}
	return t, nil
}

func (s *Store) topicWhere(ctx context.Context, where string, arg any) (booking.Topic, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row topicRow
	if err := s.db.GetContext(ctx, &row, s.db.Rebind(topicSelect+where), arg); err != nil {
		return booking.Topic{}, dbErr(err)
	}
	return row.topic()
}
