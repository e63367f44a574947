-- External calendars. It mirrors postgres/00009_external_calendars.sql;
-- read the comments there.

-- +goose Up
CREATE TABLE external_calendars (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL DEFAULT '',
    url             TEXT    NOT NULL,
    url_hint        TEXT    NOT NULL,
    etag            TEXT    NOT NULL DEFAULT '',
    last_modified   TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ok', 'failing')),
    failing_since   INTEGER,
    last_fetched    INTEGER,
    last_ok         INTEGER,
    event_count     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    refresh_seconds INTEGER NOT NULL DEFAULT 0,
    next_fetch_at   INTEGER NOT NULL,
    locked_until    INTEGER,
    locked_by       TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    UNIQUE (user_id, url)
) STRICT;
CREATE INDEX external_calendars_due ON external_calendars (next_fetch_at);

CREATE TABLE external_events (
    calendar_id INTEGER NOT NULL REFERENCES external_calendars (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    uid         TEXT    NOT NULL,
    start_at    INTEGER NOT NULL,
    end_at      INTEGER NOT NULL,
    busy        INTEGER NOT NULL,
    tags        TEXT    NOT NULL DEFAULT '',
    location    TEXT    NOT NULL DEFAULT '',
    online      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX external_events_user_start ON external_events (user_id, start_at);
CREATE INDEX external_events_calendar ON external_events (calendar_id);

CREATE TABLE external_prefs (
    user_id         INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    invite_bookings INTEGER NOT NULL DEFAULT 0,
    notify_failing  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE bookings_feed_links (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    nonce      TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;

ALTER TABLE outbox ADD COLUMN external_calendar_id INTEGER;
CREATE UNIQUE INDEX outbox_external_kind_sequence ON outbox (external_calendar_id, kind, sequence)
    WHERE external_calendar_id IS NOT NULL;

-- +goose Down
DROP INDEX outbox_external_kind_sequence;
ALTER TABLE outbox DROP COLUMN external_calendar_id;
DROP TABLE bookings_feed_links;
DROP TABLE external_prefs;
DROP TABLE external_events;
DROP TABLE external_calendars;
