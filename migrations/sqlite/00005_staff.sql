-- Staff pages, privacy and operations. It mirrors postgres/00005_staff.sql;
-- read the comments there. Booleans are INTEGER 0 or 1 in STRICT tables.

-- +goose Up
CREATE TABLE staff_sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_sessions_user_id ON staff_sessions (user_id);
CREATE INDEX staff_sessions_expires_at ON staff_sessions (expires_at);

ALTER TABLE bookings ADD COLUMN no_show INTEGER NOT NULL DEFAULT 0 CHECK (no_show IN (0, 1));

CREATE INDEX bookings_retention ON bookings (end_at) WHERE NOT anonymised;

CREATE TABLE job_leases (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE job_leases;
DROP INDEX bookings_retention;
ALTER TABLE bookings DROP COLUMN no_show;
DROP TABLE staff_sessions;
