-- The calendar home's change log; it mirrors postgres/00011_home_changes.sql,
-- read the comments there.

-- +goose Up
ALTER TABLE users ADD COLUMN home_sync_seq INTEGER NOT NULL DEFAULT 0;

CREATE TABLE home_changes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    slug       TEXT    NOT NULL,
    deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, seq)
) STRICT;
CREATE INDEX home_changes_slug ON home_changes (user_id, slug, seq);
CREATE INDEX home_changes_changed_at ON home_changes (changed_at);

-- Scheduling (RFC 6638). An organizer's invitation or cancellation for an
-- attendee who is a Veileder user waits in the attendee's schedule inbox
-- until their calendar app has read and deleted it.
CREATE TABLE schedule_inbox (
    user_id    INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    etag       TEXT    NOT NULL,
    size       INTEGER  NOT NULL,
    created_at INTEGER  NOT NULL,
    PRIMARY KEY (user_id, name)
) STRICT;

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
