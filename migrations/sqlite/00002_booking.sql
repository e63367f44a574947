-- The booking schema. It mirrors postgres/00002_booking.sql; read the
-- comments there. Booleans are INTEGER 0 or 1 in STRICT tables, as in 00001.
--
-- SQLite has no exclusion constraints; triggers keep two confirmed bookings
-- of one librarian from overlapping instead, so that both databases refuse
-- the same rows. The store maps the triggers' error, which names
-- bookings_no_overlap, to booking.ErrSlotTaken.

-- +goose Up
CREATE TABLE services (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    slug           TEXT NOT NULL UNIQUE,
    name_nb        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_nb TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    rules          TEXT
) STRICT;

CREATE TABLE topics (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    slug           TEXT    NOT NULL UNIQUE,
    service_id     INTEGER NOT NULL REFERENCES services (id),
    name_nb        TEXT    NOT NULL,
    name_en        TEXT    NOT NULL,
    description_nb TEXT    NOT NULL DEFAULT '',
    description_en TEXT    NOT NULL DEFAULT '',
    general        INTEGER NOT NULL DEFAULT 0 CHECK (general IN (0, 1)),
    rules          TEXT,
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    sort_order     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX topics_service_id ON topics (service_id);

CREATE TABLE librarian_profiles (
    user_id            INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    languages          TEXT    NOT NULL DEFAULT '',
    campus             TEXT    NOT NULL DEFAULT '',
    in_person          INTEGER NOT NULL DEFAULT 1 CHECK (in_person IN (0, 1)),
    online             INTEGER NOT NULL DEFAULT 1 CHECK (online IN (0, 1)),
    notify_new_booking INTEGER NOT NULL DEFAULT 0 CHECK (notify_new_booking IN (0, 1))
) STRICT;

CREATE TABLE competences (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic_id  INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    level     TEXT    NOT NULL CHECK (level IN ('primary', 'secondary')),
    languages TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, topic_id)
) STRICT;
CREATE INDEX competences_topic_id ON competences (topic_id);

CREATE TABLE bookings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id      INTEGER NOT NULL REFERENCES topics (id),
    librarian_id  INTEGER NOT NULL REFERENCES users (id),
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL,
    online        INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
    location      TEXT    NOT NULL DEFAULT '',
    student_name  TEXT    NOT NULL DEFAULT '',
    student_email TEXT    NOT NULL DEFAULT '',
    question      TEXT    NOT NULL DEFAULT '',
    programme     TEXT    NOT NULL DEFAULT '',
    study_level   TEXT    NOT NULL DEFAULT '',
    language      TEXT    NOT NULL DEFAULT '',
    locale        TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    cancelled_by  TEXT    NOT NULL DEFAULT '' CHECK (cancelled_by IN ('', 'student', 'librarian', 'admin', 'system')),
    sequence      INTEGER NOT NULL DEFAULT 0,
    event_uid     TEXT    NOT NULL DEFAULT '',
    event_name    TEXT    NOT NULL DEFAULT '',
    token_hash    TEXT    UNIQUE,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    anonymised    INTEGER NOT NULL DEFAULT 0 CHECK (anonymised IN (0, 1)),
    CHECK (end_at > start_at)
) STRICT;
CREATE INDEX bookings_librarian_start ON bookings (librarian_id, start_at);
CREATE INDEX bookings_student_email ON bookings (lower(student_email));
CREATE UNIQUE INDEX bookings_event ON bookings (librarian_id, event_uid) WHERE event_uid <> '';

-- +goose StatementBegin
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.librarian_id = NEW.librarian_id AND b.status = 'confirmed'
      AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at)
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap: the librarian has a confirmed booking at that time');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF librarian_id, start_at, end_at, status ON bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.librarian_id = NEW.librarian_id AND b.status = 'confirmed' AND b.id <> NEW.id
      AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at)
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap: the librarian has a confirmed booking at that time');
END;
-- +goose StatementEnd

CREATE TABLE unmet_demand (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_slug TEXT    NOT NULL,
    date       TEXT    NOT NULL,
    language   TEXT    NOT NULL DEFAULT '',
    mode       TEXT    NOT NULL DEFAULT '',
    campus     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX unmet_demand_date ON unmet_demand (date);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    booking_id   INTEGER REFERENCES bookings (id) ON DELETE SET NULL,
    sequence     INTEGER NOT NULL DEFAULT 0,
    send_after   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    last_error   TEXT    NOT NULL DEFAULT '',
    sent_at      INTEGER,
    locked_until INTEGER
) STRICT;
CREATE INDEX outbox_status_send_after ON outbox (status, send_after);
CREATE INDEX outbox_booking_id ON outbox (booking_id);

INSERT INTO services (slug, name_nb, name_en, description_nb, description_en)
VALUES ('bibliotekar', 'Bestill en bibliotekar', 'Book a librarian',
        'Få veiledning av en bibliotekar med riktig fagkompetanse.',
        'Get guidance from a librarian with the right subject expertise.');

INSERT INTO topics (slug, service_id, name_nb, name_en, description_nb, description_en, general)
SELECT 'generell', id, 'Vet ikke – hjelp meg å velge', 'I don''t know – help me choose',
       'Beskriv hva du trenger, så finner vi riktig person.',
       'Tell us what you need and we will find the right person.', 1
FROM services WHERE slug = 'bibliotekar';

-- +goose Down
DROP TABLE outbox;
DROP TABLE unmet_demand;
DROP TRIGGER bookings_no_overlap_update;
DROP TRIGGER bookings_no_overlap_insert;
DROP TABLE bookings;
DROP TABLE competences;
DROP TABLE librarian_profiles;
DROP TABLE topics;
DROP TABLE services;
