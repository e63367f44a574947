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

-- +goose Down
DROP TABLE home_changes;
ALTER TABLE users DROP COLUMN home_sync_seq;
