-- The library's own questions, the answers, the held mark and feedback.
-- It mirrors postgres/00018_intake_followup.sql; read the comments there.

-- +goose Up
CREATE TABLE intake_questions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id INTEGER REFERENCES services (id) ON DELETE CASCADE,
    topic_id   INTEGER REFERENCES topics (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('text', 'longtext', 'choice', 'yesno')),
    required   INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
    label_nb   TEXT    NOT NULL DEFAULT '',
    label_en   TEXT    NOT NULL DEFAULT '',
    options    TEXT    NOT NULL DEFAULT '',
    CHECK ((service_id IS NULL) <> (topic_id IS NULL))
) STRICT;
CREATE INDEX intake_questions_service ON intake_questions (service_id, position);
CREATE INDEX intake_questions_topic ON intake_questions (topic_id, position);

CREATE TABLE booking_answers (
    booking_id  INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    label_nb    TEXT    NOT NULL DEFAULT '',
    label_en    TEXT    NOT NULL DEFAULT '',
    value       TEXT    NOT NULL DEFAULT '',
    value_en    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (booking_id, position)
) STRICT;

ALTER TABLE bookings ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1));

CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id INTEGER UNIQUE REFERENCES bookings (id) ON DELETE SET NULL,
    topic_id   INTEGER NOT NULL REFERENCES topics (id),
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX feedback_topic ON feedback (topic_id, created_at);

-- +goose Down
DROP TABLE feedback;
ALTER TABLE bookings DROP COLUMN held;
DROP TABLE booking_answers;
DROP TABLE intake_questions;
