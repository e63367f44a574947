package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/veileder/veileder/booking"
)

// staffBookingRow is a row of bookings joined with its topic and librarian.
type staffBookingRow struct {
	bookingRow
	TopicSlug     string `db:"topic_slug"`
	TopicNameNB   string `db:"topic_name_nb"`
	TopicNameEN   string `db:"topic_name_en"`
	LibrarianUser string `db:"librarian_username"`
	LibrarianName string `db:"librarian_name"`
	NoShow        bool   `db:"no_show"`
	Held          bool   `db:"held"`
}

func (r staffBookingRow) staffBooking() booking.StaffBooking {
	name := r.LibrarianName
	if strings.TrimSpace(name) == "" {
		name = r.LibrarianUser
	}
	return booking.StaffBooking{
		Booking:       r.booking(),
		TopicSlug:     r.TopicSlug,
		TopicNameNB:   r.TopicNameNB,
		TopicNameEN:   r.TopicNameEN,
		LibrarianName: name,
		NoShow:        r.NoShow,
		Held:          r.Held,
	}
}

// staffBookingSelect is bookingColumns qualified with b., and the joins.
const staffBookingSelect = `
	SELECT b.id, b.topic_id, b.librarian_id, b.start_at, b.end_at, b.online, b.location,
	       b.student_name, b.student_email, b.question, b.programme, b.study_level, b.language, b.locale,
	       b.status, b.cancelled_by, b.sequence, b.event_uid, b.event_name, b.token_hash,
	       b.created_at, b.updated_at, b.anonymised, b.booked_by, b.inquiry_id, b.student_identity, b.no_show, b.held,
	       t.slug AS topic_slug, t.name_nb AS topic_name_nb, t.name_en AS topic_name_en,
	       u.username AS librarian_username, u.display_name AS librarian_name
	FROM bookings b
	JOIN topics t ON t.id = b.topic_id
	JOIN users u ON u.id = b.librarian_id`

// StaffBookings lists the bookings f selects, by start.
func (s *Store) StaffBookings(ctx context.Context, f booking.BookingSearch) ([]booking.StaffBooking, error) {
	var (
		where []string
		args  []any
	)
	if f.LibrarianID != 0 {
		where, args = append(where, "b.librarian_id = ?"), append(args, f.LibrarianID)
	}
	if f.TopicID != 0 {
		where, args = append(where, "b.topic_id = ?"), append(args, f.TopicID)
	}
	if f.Status != "" {
		where, args = append(where, "b.status = ?"), append(args, string(f.Status))
	}
	if e := strings.ToLower(strings.TrimSpace(f.Email)); e != "" {
		where = append(where, `lower(b.student_email) LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(e)+"%")
	}
	if !f.From.IsZero() {
		where, args = append(where, "b.start_at >= ?"), append(args, f.From.Unix())
	}
	if !f.To.IsZero() {
		where, args = append(where, "b.start_at < ?"), append(args, f.To.Unix())
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	query := staffBookingSelect
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	if f.Descending {
		query += ` ORDER BY b.start_at DESC, b.id DESC LIMIT ?`
	} else {
		query += ` ORDER BY b.start_at, b.id LIMIT ?`
	}
	args = append(args, f.Limit)
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []staffBookingRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: staff bookings: %w", dbErr(err))
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	answers, err := answersOf(ctx, s.db, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]booking.StaffBooking, 0, len(rows))
	for _, r := range rows {
		b := r.staffBooking()
		b.Answers = answers[b.ID]
		out = append(out, b)
	}
	return out, nil
}

// StaffBooking returns one booking with its names and no-show mark.
func (s *Store) StaffBooking(ctx context.Context, id int64) (booking.StaffBooking, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row staffBookingRow
	if err := s.db.GetContext(ctx, &row, s.db.Rebind(staffBookingSelect+` WHERE b.id = ?`), id); err != nil {
		return booking.StaffBooking{}, fmt.Errorf("store: staff booking %d: %w", id, dbErr(err))
	}
	b := row.staffBooking()
	var err error
	b.Booking, err = withAnswers(ctx, s.db, b.Booking)
	return b, err
}

// likeEscape escapes LIKE's wildcards with a backslash.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SetNoShow marks a confirmed booking whose meeting has begun as one the
// student did not come to, or clears the mark (SetAttendance).
func (s *Store) SetNoShow(ctx context.Context, bookingID, librarianID int64, noShow bool) error {
	a := booking.AttendanceUnknown
	if noShow {
		a = booking.AttendanceNoShow
	}
	return s.SetAttendance(ctx, bookingID, librarianID, a)
}

// SetAttendance marks a confirmed booking whose meeting has begun as held
// or as a no-show (one excludes the other), or clears both marks. With
// librarianID not zero only that librarian's booking is changed.
// booking.ErrNotFound when there is no such booking (of the librarian);
// booking.ErrInvalid when it is cancelled or has not begun.
func (s *Store) SetAttendance(ctx context.Context, bookingID, librarianID int64, a booking.Attendance) error {
	b, err := s.StaffBooking(ctx, bookingID)
	if err != nil {
		return fmt.Errorf("store: set attendance of booking %d: %w", bookingID, err)
	}
	switch {
	case a != booking.AttendanceUnknown && a != booking.AttendanceHeld && a != booking.AttendanceNoShow:
		return fmt.Errorf("store: set attendance of booking %d to %q: %w", bookingID, a, booking.ErrInvalid)
	case librarianID != 0 && b.LibrarianID != librarianID:
		return fmt.Errorf("store: set attendance of booking %d: not librarian %d's: %w", bookingID, librarianID, booking.ErrNotFound)
	case !b.Active():
		return fmt.Errorf("store: set attendance of booking %d: cancelled: %w", bookingID, booking.ErrInvalid)
	case s.now().Before(b.Start):
		return fmt.Errorf("store: set attendance of booking %d: the meeting has not begun: %w", bookingID, booking.ErrInvalid)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		UPDATE bookings SET no_show = ?, held = ? WHERE id = ? AND status = 'confirmed'`),
		a == booking.AttendanceNoShow, a == booking.AttendanceHeld, bookingID)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return fmt.Errorf("store: set attendance of booking %d: %w", bookingID, dbErr(err))
	}
	return nil
}

// UpdateService stores a service's changed names, descriptions and rules,
// found by svc.Slug, which does not change. Errors as CreateService's, and
// booking.ErrNotFound when there is no such service. Rules that no longer
// work with one of the service's topics' own are refused.
func (s *Store) UpdateService(ctx context.Context, svc booking.Service) (booking.Service, error) {
	if err := validService(svc); err != nil {
		return booking.Service{}, fmt.Errorf("store: update service %s: %w", svc.Slug, err)
	}
	all, err := s.AllTopics(ctx)
	if err != nil {
		return booking.Service{}, fmt.Errorf("store: update service %s: %w", svc.Slug, err)
	}
	for _, t := range all {
		if t.ServiceSlug != svc.Slug {
			continue
		}
		if _, err := booking.EffectiveRules(booking.DefaultRules(), svc, t.Topic); err != nil {
			return booking.Service{}, fmt.Errorf("store: update service %s: with topic %s: %w", svc.Slug, t.Slug, err)
		}
	}
	rules, err := encodeRules(svc.Rules)
	if err != nil {
		return booking.Service{}, fmt.Errorf("store: update service %s: %w", svc.Slug, err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		UPDATE services
		SET name_nb = ?, name_en = ?, description_nb = ?, description_en = ?, rules = ?, meeting_url_template = ?
		WHERE slug = ?`),
		strings.TrimSpace(svc.NameNB), strings.TrimSpace(svc.NameEN), svc.DescriptionNB, svc.DescriptionEN, rules,
		strings.TrimSpace(svc.MeetingURLTemplate), svc.Slug)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return booking.Service{}, fmt.Errorf("store: update service %s: %w", svc.Slug, dbErr(err))
	}
	return s.ServiceBySlug(ctx, svc.Slug)
}

// SetUserDetails changes a user's display name and e-mail address.
func (s *Store) SetUserDetails(ctx context.Context, userID int64, displayName, email string) error {
	displayName, email = strings.TrimSpace(displayName), strings.TrimSpace(email)
	for _, f := range []struct{ field, value string }{{"display name", displayName}, {"e-mail address", email}} {
		if err := validText(f.field, f.value, false, maxCatalogNameLen); err != nil {
			return fmt.Errorf("store: set details of user %d: %w", userID, err)
		}
	}
	if err := s.updateUser(ctx, `UPDATE users SET display_name = ?, email = ? WHERE id = ?`, displayName, email, userID); err != nil {
		return fmt.Errorf("store: set details of user %d: %w", userID, err)
	}
	return nil
}
