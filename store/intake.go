package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// The library's intake questions (per service or topic) and the students'
// answers, stored with each booking.

type questionRow struct {
	ID        int64         `db:"id"`
	ServiceID sql.NullInt64 `db:"service_id"`
	TopicID   sql.NullInt64 `db:"topic_id"`
	Position  int           `db:"position"`
	Kind      string        `db:"kind"`
	Required  bool          `db:"required"`
	LabelNB   string        `db:"label_nb"`
	LabelEN   string        `db:"label_en"`
	Options   string        `db:"options"`
}

const questionColumns = `id, service_id, topic_id, position, kind, required, label_nb, label_en, options`

func (r questionRow) question() booking.Question {
	return booking.Question{
		ID: r.ID, ServiceID: r.ServiceID.Int64, TopicID: r.TopicID.Int64, Position: r.Position,
		Kind: booking.QuestionKind(r.Kind), Required: r.Required, LabelNB: r.LabelNB, LabelEN: r.LabelEN,
		Options: booking.ParseOptions(r.Options),
	}
}

func questionsOf(rows []questionRow) []booking.Question {
	out := make([]booking.Question, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.question())
	}
	return out
}

// checkQuestion validates q as the domain wants it and as both databases
// store it.
func checkQuestion(q *booking.Question) error {
	if err := q.Validate(); err != nil {
		return err
	}
	if (q.ServiceID == 0) == (q.TopicID == 0) {
		return fmt.Errorf("question of both or neither a service and a topic: %w", booking.ErrInvalid)
	}
	return nil
}

// IntakeQuestions lists every service's and topic's questions, in form
// order.
func (s *Store) IntakeQuestions(ctx context.Context) ([]booking.Question, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []questionRow
	if err := s.db.SelectContext(ctx, &rows, `
		SELECT `+questionColumns+` FROM intake_questions ORDER BY position, id`); err != nil {
		return nil, fmt.Errorf("store: intake questions: %w", dbErr(err))
	}
	return questionsOf(rows), nil
}

// QuestionsOf lists the questions of one service (serviceID) or one topic
// (topicID), the other 0, in form order.
func (s *Store) QuestionsOf(ctx context.Context, serviceID, topicID int64) ([]booking.Question, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []questionRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT `+questionColumns+` FROM intake_questions
		WHERE service_id = ? OR topic_id = ?
		ORDER BY position, id`), serviceID, topicID); err != nil {
		return nil, fmt.Errorf("store: questions of service %d, topic %d: %w", serviceID, topicID, dbErr(err))
	}
	return questionsOf(rows), nil
}

// AskedQuestions are the questions a booking of the topic answers: its
// own, else its service's (booking.AskedQuestions).
func (s *Store) AskedQuestions(ctx context.Context, t booking.Topic) ([]booking.Question, error) {
	own, err := s.QuestionsOf(ctx, 0, t.ID)
	if err != nil || len(own) > 0 {
		return own, err
	}
	svc, err := s.ServiceBySlug(ctx, t.ServiceSlug)
	if err != nil {
		return nil, fmt.Errorf("store: questions of topic %s: %w", t.Slug, err)
	}
	return s.QuestionsOf(ctx, svc.ID, 0)
}

// Question returns one question.
func (s *Store) Question(ctx context.Context, id int64) (booking.Question, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row questionRow
	if err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT `+questionColumns+` FROM intake_questions WHERE id = ?`), id); err != nil {
		return booking.Question{}, fmt.Errorf("store: question %d: %w", id, dbErr(err))
	}
	return row.question(), nil
}

// AddQuestion adds q at the end of its service's or topic's questions.
// booking.ErrLimitReached when it has booking.MaxQuestions already (one
// statement counts and inserts, so two admins at once cannot pass the
// limit); a *booking.FieldError for a bad question; booking.ErrNotFound
// for an unknown service or topic.
func (s *Store) AddQuestion(ctx context.Context, q booking.Question) (booking.Question, error) {
	if err := checkQuestion(&q); err != nil {
		return booking.Question{}, fmt.Errorf("store: add question: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row questionRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		INSERT INTO intake_questions (service_id, topic_id, position, kind, required, label_nb, label_en, options)
		SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), COALESCE(MAX(position), 0) + 1, ?, CAST(? AS BOOLEAN), ?, ?, ?
		FROM intake_questions
		WHERE service_id = ? OR topic_id = ?
		HAVING COUNT(*) < ?
		RETURNING `+questionColumns),
		nullID(q.ServiceID), nullID(q.TopicID), string(q.Kind), q.Required, q.LabelNB, q.LabelEN,
		booking.FormatOptions(q.Options), q.ServiceID, q.TopicID, booking.MaxQuestions)
	if err != nil {
		if err = dbErr(err); errors.Is(err, booking.ErrNotFound) {
			// No row came back: either the limit (HAVING) or a missing
			// service or topic (foreign key, also ErrNotFound). Tell them
			// apart by looking.
			if n, cerr := s.countQuestions(ctx, q.ServiceID, q.TopicID); cerr == nil && n >= booking.MaxQuestions {
				err = booking.ErrLimitReached
			}
		}
		return booking.Question{}, fmt.Errorf("store: add question: %w", err)
	}
	return row.question(), nil
}

func (s *Store) countQuestions(ctx context.Context, serviceID, topicID int64) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, s.db.Rebind(`
		SELECT COUNT(*) FROM intake_questions WHERE service_id = ? OR topic_id = ?`), serviceID, topicID)
	return n, err
}

// UpdateQuestion stores q's kind, required mark, labels and options; its
// owner and position stay.
func (s *Store) UpdateQuestion(ctx context.Context, q booking.Question) (booking.Question, error) {
	old, err := s.Question(ctx, q.ID)
	if err != nil {
		return booking.Question{}, err
	}
	q.ServiceID, q.TopicID, q.Position = old.ServiceID, old.TopicID, old.Position
	if err := checkQuestion(&q); err != nil {
		return booking.Question{}, fmt.Errorf("store: update question %d: %w", q.ID, err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		UPDATE intake_questions SET kind = ?, required = ?, label_nb = ?, label_en = ?, options = ?
		WHERE id = ?`), string(q.Kind), q.Required, q.LabelNB, q.LabelEN, booking.FormatOptions(q.Options), q.ID)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return booking.Question{}, fmt.Errorf("store: update question %d: %w", q.ID, dbErr(err))
	}
	return q, nil
}

// DeleteQuestion removes a question and closes the gap in the positions.
// Answers already given keep their copy of it.
func (s *Store) DeleteQuestion(ctx context.Context, id int64) error {
	q, err := s.Question(ctx, id)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM intake_questions WHERE id = ?`), id); err != nil {
			return fmt.Errorf("store: delete question %d: %w", id, dbErr(err))
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE intake_questions SET position = position - 1
			WHERE (service_id = ? OR topic_id = ?) AND position > ?`), q.ServiceID, q.TopicID, q.Position); err != nil {
			return fmt.Errorf("store: delete question %d: %w", id, dbErr(err))
		}
		return nil
	})
}

// MoveQuestionUp swaps a question with the one before it; the first stays.
func (s *Store) MoveQuestionUp(ctx context.Context, id int64) error {
	q, err := s.Question(ctx, id)
	if err != nil {
		return err
	}
	if q.Position <= 1 {
		return nil
	}
	return s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE intake_questions SET position = position + 1
			WHERE (service_id = ? OR topic_id = ?) AND position = ?`), q.ServiceID, q.TopicID, q.Position-1); err != nil {
			return fmt.Errorf("store: move question %d: %w", id, dbErr(err))
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE intake_questions SET position = ? WHERE id = ?`), q.Position-1, id); err != nil {
			return fmt.Errorf("store: move question %d: %w", id, dbErr(err))
		}
		return nil
	})
}

type answerRow struct {
	BookingID  int64  `db:"booking_id"`
	Position   int    `db:"position"`
	QuestionID int64  `db:"question_id"`
	Kind       string `db:"kind"`
	LabelNB    string `db:"label_nb"`
	LabelEN    string `db:"label_en"`
	Value      string `db:"value"`
	ValueEN    string `db:"value_en"`
}

// insertAnswers stores a new booking's answers.
func insertAnswers(ctx context.Context, q querier, bookingID int64, answers []booking.Answer) error {
	for i, a := range answers {
		for _, f := range []string{a.LabelNB, a.LabelEN, a.Value, a.ValueEN, string(a.Kind)} {
			if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
				return fmt.Errorf("store: answer of booking %d is not UTF-8 text: %w", bookingID, booking.ErrInvalid)
			}
		}
		// The position is the answer's place in the booking (1, 2, …):
		// unique even if two questions once shared a position.
		if _, err := q.ExecContext(ctx, q.Rebind(`
			INSERT INTO booking_answers (booking_id, position, question_id, kind, label_nb, label_en, value, value_en)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			bookingID, i+1, a.QuestionID, string(a.Kind), a.LabelNB, a.LabelEN, a.Value, a.ValueEN); err != nil {
			return fmt.Errorf("store: answers of booking %d: %w", bookingID, dbErr(err))
		}
	}
	return nil
}

// deleteAnswers removes a booking's answers: personal data, gone with the
// student's other fields when the booking is anonymised.
func deleteAnswers(ctx context.Context, q querier, bookingID int64) error {
	if _, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM booking_answers WHERE booking_id = ?`), bookingID); err != nil {
		return fmt.Errorf("store: delete answers of booking %d: %w", bookingID, dbErr(err))
	}
	return nil
}

// answersOf reads the answers of the bookings, by booking ID.
func answersOf(ctx context.Context, q querier, ids ...int64) (map[int64][]booking.Answer, error) {
	out := map[int64][]booking.Answer{}
	if len(ids) == 0 {
		return out, nil
	}
	query, args, err := sqlx.In(`
		SELECT booking_id, position, question_id, kind, label_nb, label_en, value, value_en
		FROM booking_answers WHERE booking_id IN (?) ORDER BY booking_id, position`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: answers: %w", err)
	}
	var rows []answerRow
	if err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: answers: %w", dbErr(err))
	}
	for _, r := range rows {
		out[r.BookingID] = append(out[r.BookingID], booking.Answer{
			QuestionID: r.QuestionID, Position: r.Position, Kind: booking.QuestionKind(r.Kind),
			LabelNB: r.LabelNB, LabelEN: r.LabelEN, Value: r.Value, ValueEN: r.ValueEN,
		})
	}
	return out, nil
}

// withAnswers fills in one booking's answers.
func withAnswers(ctx context.Context, q querier, b booking.Booking) (booking.Booking, error) {
	m, err := answersOf(ctx, q, b.ID)
	if err != nil {
		return booking.Booking{}, err
	}
	b.Answers = m[b.ID]
	return b, nil
}
