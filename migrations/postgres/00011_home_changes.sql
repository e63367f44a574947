-- The calendar home's change log, for sync-collection on the home (RFC
-- 6578 with the home's calendars as its members), as Apple Calendar lists
-- it to see new and deleted calendars without a full PROPFIND.
--
-- Each user's home has its own position, users.home_sync_seq, bumped by one
-- in the transaction that creates, deletes or changes the properties of a
-- calendar in it; the UPDATE's row lock orders the changes of one home, so
-- that a position a client saw is never filled in later by a transaction
-- that committed after it (a shared sequence would not give that across
-- replicas). A shared calendar is in every home, so its change is logged in
-- every home. Members are named by slug, as in the home's URLs.
--
-- Times are BIGINT Unix seconds, UTC, as in 00001.

-- +goose Up
ALTER TABLE users ADD COLUMN home_sync_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE home_changes (
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq        BIGINT  NOT NULL,
    slug       TEXT    NOT NULL,
    deleted    BOOLEAN NOT NULL,
    changed_at BIGINT  NOT NULL,
    PRIMARY KEY (user_id, seq)
);
CREATE INDEX home_changes_slug ON home_changes (user_id, slug, seq);
CREATE INDEX home_changes_changed_at ON home_changes (changed_at);

-- Scheduling (RFC 6638). An organizer's invitation or cancellation for an
-- attendee who is a Veileder user waits in the attendee's schedule inbox
-- until their calendar app has read and deleted it.
CREATE TABLE schedule_inbox (
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    etag       TEXT    NOT NULL,
    size       BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (user_id, name)
);

-- One for anybody else goes by e-mail (iMIP, RFC 6047) through the outbox:
-- an 'itip' message carries its recipient and the iTIP object itself,
-- since the event it came from may be changed or gone by the time it is
-- sent, and the message must say what the organizer did at that moment.
ALTER TABLE outbox ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN payload TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN payload;
ALTER TABLE outbox DROP COLUMN recipient;
DROP TABLE schedule_inbox;
DROP TABLE home_changes;
ALTER TABLE users DROP COLUMN home_sync_seq;
