-- The outbox gets what the sender and the reminder job need. It mirrors
-- postgres/00003_outbox.sql; read the comments there. SQLite cannot change
-- a CHECK constraint, so the outbox table is rebuilt (nothing references
-- it), keeping every row and its id.

-- +goose Up
CREATE TABLE outbox_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    booking_id   INTEGER REFERENCES bookings (id) ON DELETE SET NULL,
    sequence     INTEGER NOT NULL DEFAULT 0,
    send_after   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    last_error   TEXT    NOT NULL DEFAULT '',
    sent_at      INTEGER,
    locked_until INTEGER
) STRICT;
INSERT INTO outbox_new (id, kind, booking_id, sequence, send_after, created_at, attempts, status, last_error, sent_at, locked_until)
SELECT id, kind, booking_id, sequence, send_after, created_at, attempts, status, last_error, sent_at, locked_until
FROM outbox o
WHERE o.booking_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM outbox p
    WHERE p.booking_id = o.booking_id AND p.kind = o.kind AND p.sequence = o.sequence AND p.id < o.id);
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_status_send_after ON outbox (status, send_after);
CREATE INDEX outbox_booking_id ON outbox (booking_id);
CREATE UNIQUE INDEX outbox_booking_kind_sequence ON outbox (booking_id, kind, sequence);
CREATE INDEX outbox_due ON outbox (send_after, id) WHERE status = 'pending';
-- The reminder job looks for confirmed bookings by start time.
CREATE INDEX bookings_confirmed_start ON bookings (start_at) WHERE status = 'confirmed';

CREATE TABLE secrets (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE secrets;
DROP INDEX bookings_confirmed_start;
CREATE TABLE outbox_old (
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
INSERT INTO outbox_old (id, kind, booking_id, sequence, send_after, created_at, attempts, status, last_error, sent_at, locked_until)
SELECT id, kind, booking_id, sequence, send_after, created_at, attempts,
       CASE status WHEN 'skipped' THEN 'sent' ELSE status END, last_error, sent_at, locked_until
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_status_send_after ON outbox (status, send_after);
CREATE INDEX outbox_booking_id ON outbox (booking_id);
