-- Staff pages, privacy and operations: server-side web sessions for staff,
-- the no-show mark on bookings, and leases that let one replica at a time
-- run a periodic job (the retention purge).
--
-- Times are BIGINT Unix seconds, UTC, as in 00001.

-- +goose Up

-- A staff member signed in on the web. Only the SHA-256 (hex) of the
-- cookie's random token is stored, so that a copy of the database does not
-- hand out sessions. Deleting the row signs the session out.
CREATE TABLE staff_sessions (
    token_hash   TEXT   PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_user_id ON staff_sessions (user_id);
CREATE INDEX staff_sessions_expires_at ON staff_sessions (expires_at);

-- A librarian marks a past meeting the student did not come to. It is
-- kept when the booking's personal data is removed, for the statistics.
ALTER TABLE bookings ADD COLUMN no_show BOOLEAN NOT NULL DEFAULT FALSE;

-- Retention selects bookings by meeting end that still hold personal data.
CREATE INDEX bookings_retention ON bookings (end_at) WHERE NOT anonymised;

-- A job lease: the replica whose holder id is in the row may run the job
-- until expires_at; another takes it over only after that.
CREATE TABLE job_leases (
    name       TEXT   PRIMARY KEY,
    holder     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE job_leases;
DROP INDEX bookings_retention;
ALTER TABLE bookings DROP COLUMN no_show;
DROP TABLE staff_sessions;
