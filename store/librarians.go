package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/veileder/veileder/booking"
)

// languageList is the stored form of a list of language codes: lower
// case, comma separated, without duplicates. Each code is two or three
// letters (ISO 639).
func languageList(langs []string) (string, error) {
	var out []string
	for _, l := range langs {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" {
			continue
		}
		if len(l) < 2 || len(l) > 3 || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz") != "" {
			return "", fmt.Errorf("language %q is not a two- or three-letter code: %w", l, booking.ErrInvalid)
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, ","), nil
}

// ParseLanguages splits a comma-separated list such as "nb, en" and checks
// each code.
func ParseLanguages(s string) ([]string, error) {
	list, err := languageList(strings.Split(s, ","))
	if err != nil {
		return nil, err
	}
	return splitLanguages(list), nil
}

func splitLanguages(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// profileRow is a row of librarian_profiles, or its absence (LEFT JOIN).
type profileRow struct {
	Languages        sql.NullString `db:"languages"`
	Campus           sql.NullString `db:"campus"`
	InPerson         sql.NullBool   `db:"in_person"`
	Online           sql.NullBool   `db:"online"`
	NotifyNewBooking sql.NullBool   `db:"notify_new_booking"`
	NotifyRequests   sql.NullBool   `db:"notify_requests"`
	MeetingURL       sql.NullString `db:"meeting_url"`
}

func (r profileRow) profile(userID int64) booking.Profile {
	if !r.Languages.Valid {
		return booking.DefaultProfile(userID)
	}
	return booking.Profile{
		UserID:           userID,
		Languages:        splitLanguages(r.Languages.String),
		Campus:           r.Campus.String,
		InPerson:         r.InPerson.Bool,
		Online:           r.Online.Bool,
		NotifyNewBooking: r.NotifyNewBooking.Bool,
		NotifyRequests:   r.NotifyRequests.Bool,
		MeetingURL:       r.MeetingURL.String,
	}
}

// SetProfile stores a librarian's profile, replacing the one they had.
// booking.ErrInvalid for a bad language code or campus name;
// booking.ErrNotFound when the user does not exist.
func (s *Store) SetProfile(ctx context.Context, p booking.Profile) error {
	langs, err := languageList(p.Languages)
	if err != nil {
		return fmt.Errorf("store: set profile of user %d: %w", p.UserID, err)
	}
	p.Campus = strings.TrimSpace(p.Campus)
	if err := validText("campus", p.Campus, false, maxCatalogNameLen); err != nil {
		return fmt.Errorf("store: set profile of user %d: %w", p.UserID, err)
	}
	p.MeetingURL = strings.TrimSpace(p.MeetingURL)
	if err := booking.ValidMeetingURL(p.MeetingURL); err != nil {
		return fmt.Errorf("store: set profile of user %d: %w", p.UserID, err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	_, err = s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO librarian_profiles (user_id, languages, campus, in_person, online, notify_new_booking, meeting_url, notify_requests)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE
		SET languages = excluded.languages, campus = excluded.campus, in_person = excluded.in_person,
		    online = excluded.online, notify_new_booking = excluded.notify_new_booking,
		    meeting_url = excluded.meeting_url, notify_requests = excluded.notify_requests`),
		p.UserID, langs, p.Campus, p.InPerson, p.Online, p.NotifyNewBooking, p.MeetingURL, p.NotifyRequests)
	if err != nil {
		return fmt.Errorf("store: set profile of user %d: %w", p.UserID, dbErr(err))
	}
	return nil
}

// Profile returns a user's profile, DefaultProfile if none was set.
// booking.ErrNotFound when the user does not exist.
func (s *Store) Profile(ctx context.Context, userID int64) (booking.Profile, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row profileRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT p.languages, p.campus, p.in_person, p.online, p.notify_new_booking, p.meeting_url, p.notify_requests
		FROM users u
		LEFT JOIN librarian_profiles p ON p.user_id = u.id
		WHERE u.id = ?`), userID)
	if err != nil {
		return booking.Profile{}, fmt.Errorf("store: profile of user %d: %w", userID, dbErr(err))
	}
	return row.profile(userID), nil
}

// competenceRow is a row of competences.
type competenceRow struct {
	UserID    int64  `db:"user_id"`
	TopicID   int64  `db:"topic_id"`
	Level     string `db:"level"`
	Languages string `db:"languages"`
}

func (r competenceRow) competence() booking.Competence {
	return booking.Competence{
		LibrarianID: r.UserID,
		TopicID:     r.TopicID,
		Level:       booking.Level(r.Level),
		Languages:   splitLanguages(r.Languages),
	}
}

// AddCompetence gives a user a competence in the topic, or changes the one
// they have. An empty level means primary; empty languages mean the
// languages of the user's profile. booking.ErrInvalid for a bad level or
// language; booking.ErrNotFound when the user or the topic does not exist.
func (s *Store) AddCompetence(ctx context.Context, userID int64, topicSlug string, level booking.Level, languages []string) error {
	if level == "" {
		level = booking.LevelPrimary
	}
	level, err := booking.ParseLevel(string(level))
	if err != nil {
		return fmt.Errorf("store: add competence %s to user %d: %w", topicSlug, userID, err)
	}
	langs, err := languageList(languages)
	if err != nil {
		return fmt.Errorf("store: add competence %s to user %d: %w", topicSlug, userID, err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	// INSERT ... SELECT inserts nothing for an unknown topic, which
	// oneRow reports; an unknown user fails the foreign key.
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO competences (user_id, topic_id, level, languages)
		SELECT ?, id, ?, ? FROM topics WHERE slug = ?
		ON CONFLICT (user_id, topic_id) DO UPDATE
		SET level = excluded.level, languages = excluded.languages`),
		userID, string(level), langs, topicSlug)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return fmt.Errorf("store: add competence %s to user %d: %w", topicSlug, userID, dbErr(err))
	}
	return nil
}

// RemoveCompetence takes a competence from a user; booking.ErrNotFound if
// they had none in the topic.
func (s *Store) RemoveCompetence(ctx context.Context, userID int64, topicSlug string) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		DELETE FROM competences
		WHERE user_id = ? AND topic_id = (SELECT id FROM topics WHERE slug = ?)`), userID, topicSlug)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return fmt.Errorf("store: remove competence %s from user %d: %w", topicSlug, userID, dbErr(err))
	}
	return nil
}

// Competences lists a user's competences by topic id.
func (s *Store) Competences(ctx context.Context, userID int64) ([]booking.Competence, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []competenceRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT user_id, topic_id, level, languages
		FROM competences
		WHERE user_id = ?
		ORDER BY topic_id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: competences of user %d: %w", userID, dbErr(err))
	}
	out := make([]booking.Competence, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.competence())
	}
	return out, nil
}

// librarianRow is a user with a competence in the topic asked for, and
// their profile if they have one.
type librarianRow struct {
	ID          int64  `db:"id"`
	Username    string `db:"username"`
	DisplayName string `db:"display_name"`
	profileRow
}

// LibrariansForTopic returns the enabled staff (any role: coordinators and
// admins guide too) holding a competence in the topic, by id, each with
// all their competences, and languages, campus and meeting modes from
// their profile (DefaultProfile if none). A competence's Languages are
// empty where it inherits the profile's.
func (s *Store) LibrariansForTopic(ctx context.Context, topicID int64) ([]booking.Librarian, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []librarianRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT u.id, u.username, u.display_name,
		       p.languages, p.campus, p.in_person, p.online, p.notify_new_booking, p.meeting_url
		FROM users u
		JOIN competences c ON c.user_id = u.id AND c.topic_id = ?
		LEFT JOIN librarian_profiles p ON p.user_id = u.id
		WHERE NOT u.disabled AND u.role IN ('librarian', 'coordinator', 'admin')
		ORDER BY u.id`), topicID)
	if err != nil {
		return nil, fmt.Errorf("store: librarians for topic %d: %w", topicID, dbErr(err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	var comps []competenceRow
	err = s.db.SelectContext(ctx, &comps, s.db.Rebind(`
		SELECT user_id, topic_id, level, languages
		FROM competences
		WHERE user_id IN (SELECT user_id FROM competences WHERE topic_id = ?)
		ORDER BY user_id, topic_id`), topicID)
	if err != nil {
		return nil, fmt.Errorf("store: librarians for topic %d: %w", topicID, dbErr(err))
	}
	byUser := make(map[int64][]booking.Competence, len(rows))
	for _, c := range comps {
		byUser[c.UserID] = append(byUser[c.UserID], c.competence())
	}
	libs := make([]booking.Librarian, 0, len(rows))
	for _, r := range rows {
		p := r.profile(r.ID)
		name := r.DisplayName
		if name == "" {
			name = r.Username
		}
		libs = append(libs, booking.Librarian{
			ID:          r.ID,
			Name:        name,
			Languages:   p.Languages,
			Campus:      p.Campus,
			InPerson:    p.InPerson,
			Online:      p.Online,
			Competences: byUser[r.ID],
			MeetingURL:  p.MeetingURL,
		})
	}
	return libs, nil
}
