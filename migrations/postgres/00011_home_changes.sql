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

-- +goose Down
DROP TABLE home_changes;
ALTER TABLE users DROP COLUMN home_sync_seq;
