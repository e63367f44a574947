-- The waitlist. It mirrors postgres/00019_waitlist.sql; read the comments
-- there.
--
-- outbox.waitlist_offer_id has no REFERENCES: SQLite cannot drop a column
-- that has one, and Down must. The store clears it when it deletes an
-- offer.

-- +goose Up
CREATE TABLE waitlist_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id     INTEGER NOT NULL REFERENCES topics (id),
    name         TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    mode         TEXT    NOT NULL DEFAULT '' CHECK (mode IN ('', 'in-person', 'online')),
    language     TEXT    NOT NULL DEFAULT '',
    weekdays     TEXT    NOT NULL DEFAULT '',
    times_of_day TEXT    NOT NULL DEFAULT '',
    librarian_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    locale       TEXT    NOT NULL DEFAULT 'nb',
    uid          TEXT    NOT NULL UNIQUE,
    token_hash   TEXT    NOT NULL UNIQUE,
    status       TEXT    NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'booked', 'left', 'expired')),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    ended_at     INTEGER
) STRICT;
CREATE INDEX waitlist_entries_queue ON waitlist_entries (topic_id, created_at, id) WHERE status = 'waiting';
CREATE INDEX waitlist_entries_email ON waitlist_entries (lower(email));
-- One wait per address and topic, whatever two requests at once do.
CREATE UNIQUE INDEX waitlist_entries_one_wait ON waitlist_entries (topic_id, lower(email)) WHERE status = 'waiting';

CREATE TABLE waitlist_offers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id     INTEGER NOT NULL REFERENCES waitlist_entries (id) ON DELETE CASCADE,
    topic_id     INTEGER NOT NULL REFERENCES topics (id),
    librarian_id INTEGER NOT NULL REFERENCES users (id),
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL,
    online       INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
    location     TEXT    NOT NULL DEFAULT '',
    uid          TEXT    NOT NULL UNIQUE,
    token_hash   TEXT    NOT NULL UNIQUE,
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'expired', 'withdrawn')),
    offered_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    booking_id   INTEGER REFERENCES bookings (id) ON DELETE SET NULL,
    CHECK (end_at > start_at)
) STRICT;
CREATE UNIQUE INDEX waitlist_offers_one_open ON waitlist_offers (entry_id) WHERE status = 'open';
CREATE INDEX waitlist_offers_holds ON waitlist_offers (librarian_id, start_at) WHERE status = 'open';

ALTER TABLE outbox ADD COLUMN waitlist_offer_id INTEGER;
CREATE UNIQUE INDEX outbox_waitlist_offer ON outbox (waitlist_offer_id, kind) WHERE waitlist_offer_id IS NOT NULL;

-- +goose Down
DROP INDEX outbox_waitlist_offer;
ALTER TABLE outbox DROP COLUMN waitlist_offer_id;
DROP TABLE waitlist_offers;
DROP TABLE waitlist_entries;
