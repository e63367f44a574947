-- Requests, their offered times, the outbox's messages about them, the
-- librarians' opt-in and the admins' tag mapping. It mirrors
-- postgres/00015_requests.sql; read the comments there.

-- +goose Up
CREATE TABLE help_requests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id      INTEGER NOT NULL REFERENCES topics (id),
    need          TEXT    NOT NULL DEFAULT '',
    times         TEXT    NOT NULL DEFAULT '',
    language      TEXT    NOT NULL DEFAULT '',
    mode          TEXT    NOT NULL DEFAULT 'any' CHECK (mode IN ('any', 'in-person', 'online')),
    student_name  TEXT    NOT NULL DEFAULT '',
    student_email TEXT    NOT NULL DEFAULT '',
    locale        TEXT    NOT NULL DEFAULT 'nb',
    filed_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    inquiry_id    INTEGER REFERENCES inquiries (id) ON DELETE SET NULL,
    state         TEXT    NOT NULL CHECK (state IN ('open', 'taken', 'offered', 'booked', 'closed')),
    taken_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    taken_at      INTEGER,
    booking_id    INTEGER REFERENCES bookings (id) ON DELETE SET NULL,
    closed_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    close_reason  TEXT    NOT NULL DEFAULT '',
    round         INTEGER NOT NULL DEFAULT 0,
    due_at        INTEGER NOT NULL,
    uid           TEXT    NOT NULL UNIQUE,
    token_hash    TEXT    NOT NULL DEFAULT '',
    anonymised    INTEGER NOT NULL DEFAULT 0 CHECK (anonymised IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    answered_at   INTEGER
) STRICT;
CREATE INDEX help_requests_topic_state ON help_requests (topic_id, state);
CREATE INDEX help_requests_created ON help_requests (created_at);
CREATE INDEX help_requests_token ON help_requests (token_hash) WHERE token_hash <> '';
CREATE INDEX help_requests_inquiry ON help_requests (inquiry_id) WHERE inquiry_id IS NOT NULL;

CREATE TABLE request_offers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id   INTEGER NOT NULL REFERENCES help_requests (id) ON DELETE CASCADE,
    librarian_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL,
    online       INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
    round        INTEGER NOT NULL,
    UNIQUE (request_id, start_at, online)
) STRICT;

-- Without REFERENCES, as bookings.inquiry_id in 00012: SQLite cannot drop
-- a column that has one. The store clears it with the request.
ALTER TABLE bookings ADD COLUMN request_id INTEGER;

ALTER TABLE outbox ADD COLUMN request_id INTEGER;
ALTER TABLE outbox ADD COLUMN user_id INTEGER;
CREATE UNIQUE INDEX outbox_request_kind_user_sequence ON outbox (request_id, kind, COALESCE(user_id, 0), sequence)
    WHERE request_id IS NOT NULL;

ALTER TABLE librarian_profiles ADD COLUMN notify_requests INTEGER NOT NULL DEFAULT 0 CHECK (notify_requests IN (0, 1));

CREATE TABLE tag_topics (
    tag       TEXT    PRIMARY KEY,
    topic_id  INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    mapped_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    mapped_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE tag_topics;
ALTER TABLE librarian_profiles DROP COLUMN notify_requests;
DROP INDEX outbox_request_kind_user_sequence;
DELETE FROM outbox WHERE request_id IS NOT NULL;
ALTER TABLE outbox DROP COLUMN user_id;
ALTER TABLE outbox DROP COLUMN request_id;
ALTER TABLE bookings DROP COLUMN request_id;
DROP TABLE request_offers;
DROP TABLE help_requests;
