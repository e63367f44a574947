-- Drop-in tombstones; mirrors postgres/00004_dropin.sql, read the comments
-- there.

-- +goose Up
CREATE TABLE dropin_tombstones (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    uid         TEXT    NOT NULL,
    summary     TEXT    NOT NULL DEFAULT '',
    start_at    INTEGER NOT NULL,
    end_at      INTEGER NOT NULL,
    all_day     INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
    themes      TEXT    NOT NULL DEFAULT '',
    deleted_at  INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (calendar_id, uid)
) STRICT;
CREATE INDEX dropin_tombstones_deleted_at ON dropin_tombstones (calendar_id, deleted_at);

-- +goose Down
DROP TABLE dropin_tombstones;
