-- External calendars: a librarian's calendar held elsewhere (Exchange /
-- Microsoft 365, Google), read through its published ICS link on a
-- schedule (package external).
--
-- * external_calendars: one row per link. url is a secret (whoever has it
--   reads the calendar): only the fetcher reads it; pages, logs and the
--   CLI show url_hint (host and an ellipsis). next_fetch_at is the
--   calendar's own due time, and locked_until/locked_by a per-calendar
--   lease, so that replicas sharing the database fetch each feed once per
--   period without a global job lock. last_error never holds the URL.
-- * external_events: the feed's events, expanded into instances for a
--   rolling horizon at fetch time, so that a slot search reads a few
--   indexed rows per librarian and never parses or fetches. Only what the
--   slot search needs is kept: times, whether the instance is busy, its
--   tags, and for tagged (window) instances the place. Titles and
--   descriptions of busy events are never stored. uid is kept to drop the
--   events Veileder itself delivered (a booking's event UID).
-- * external_prefs: a librarian's choices: iMIP invitations for their
--   bookings without an external calendar, and the daily e-mail about a
--   failing feed.
-- * bookings_feed_links: the private read-only ICS link to a librarian's
--   bookings calendar. The token is derived from nonce with the service's
--   secret key, so that it can be shown again; only its SHA-256 is looked
--   up. Deleting the row revokes the link.
-- * outbox.external_calendar_id: messages about an external calendar (the
--   daily failing-feed e-mail), one per calendar and day (sequence is the
--   day number). No foreign key: SQLite cannot drop a column that has
--   one, and a message whose calendar was removed is skipped when due.
--
-- Times are BIGINT Unix seconds, UTC, as in 00001.

-- +goose Up
CREATE TABLE external_calendars (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL DEFAULT '',
    url             TEXT    NOT NULL,
    url_hint        TEXT    NOT NULL,
    etag            TEXT    NOT NULL DEFAULT '',
    last_modified   TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ok', 'failing')),
    failing_since   BIGINT,
    last_fetched    BIGINT,
    last_ok         BIGINT,
    event_count     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    refresh_seconds INTEGER NOT NULL DEFAULT 0,
    next_fetch_at   BIGINT  NOT NULL,
    locked_until    BIGINT,
    locked_by       TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    UNIQUE (user_id, url)
);
CREATE INDEX external_calendars_due ON external_calendars (next_fetch_at);

CREATE TABLE external_events (
    calendar_id BIGINT  NOT NULL REFERENCES external_calendars (id) ON DELETE CASCADE,
    user_id     BIGINT  NOT NULL,
    uid         TEXT    NOT NULL,
    start_at    BIGINT  NOT NULL,
    end_at      BIGINT  NOT NULL,
    busy        BOOLEAN NOT NULL,
    tags        TEXT    NOT NULL DEFAULT '',
    location    TEXT    NOT NULL DEFAULT '',
    online      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX external_events_user_start ON external_events (user_id, start_at);
CREATE INDEX external_events_calendar ON external_events (calendar_id);

CREATE TABLE external_prefs (
    user_id         BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    invite_bookings BOOLEAN NOT NULL DEFAULT FALSE,
    notify_failing  BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE bookings_feed_links (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    nonce      TEXT   NOT NULL,
    token_hash TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

ALTER TABLE outbox ADD COLUMN external_calendar_id BIGINT;
CREATE UNIQUE INDEX outbox_external_kind_sequence ON outbox (external_calendar_id, kind, sequence)
    WHERE external_calendar_id IS NOT NULL;

-- +goose Down
DROP INDEX outbox_external_kind_sequence;
ALTER TABLE outbox DROP COLUMN external_calendar_id;
DROP TABLE bookings_feed_links;
DROP TABLE external_prefs;
DROP TABLE external_events;
DROP TABLE external_calendars;
