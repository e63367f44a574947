-- The first line: desk staff, their inquiry log, bookings made at the desk
-- and API tokens. It mirrors postgres/00012_desk.sql; read the comments
-- there.
--
-- SQLite cannot alter a CHECK constraint, and rebuilding users would
-- cascade into every table that references it (foreign keys are on). The
-- procedure SQLite documents for changing a CHECK constraint edits the
-- table's stored definition instead (https://sqlite.org/lang_altertable.html,
-- "Making Other Kinds Of Table Schema Changes"): existing rows satisfy
-- the wider check, and the CREATE TABLE after it bumps the schema version,
-- so that every connection reads the new definition.

-- +goose Up
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (role IN (''librarian'', ''coordinator'', ''admin''))',
                          'CHECK (role IN (''desk'', ''librarian'', ''coordinator'', ''admin''))')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = OFF;

CREATE TABLE inquiries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    channel    TEXT    NOT NULL CHECK (channel IN ('desk', 'phone', 'email', 'chat', 'roaming')),
    topic_id   INTEGER REFERENCES topics (id),
    tags       TEXT    NOT NULL DEFAULT '',
    read_level INTEGER NOT NULL CHECK (read_level BETWEEN 1 AND 6),
    minutes    INTEGER NOT NULL CHECK (minutes BETWEEN 0 AND 600),
    outcome    TEXT    NOT NULL CHECK (outcome IN ('answered', 'referred', 'booked', 'elsewhere')),
    note       TEXT    NOT NULL DEFAULT '',
    booking_id INTEGER REFERENCES bookings (id) ON DELETE SET NULL,
    at         INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (topic_id IS NOT NULL OR tags <> '')
) STRICT;
CREATE INDEX inquiries_user_at ON inquiries (user_id, at);
CREATE INDEX inquiries_at ON inquiries (at);

-- Without REFERENCES: SQLite cannot drop a column that has one, and Down
-- must. The store clears inquiry_id when it deletes an inquiry, and users
-- are disabled rather than deleted.
ALTER TABLE bookings ADD COLUMN booked_by INTEGER;
ALTER TABLE bookings ADD COLUMN inquiry_id INTEGER;

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label        TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
) STRICT;
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

-- +goose Down
-- The check first, so that the DROPs after it bump the schema version.
DELETE FROM users WHERE role = 'desk';
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (role IN (''desk'', ''librarian'', ''coordinator'', ''admin''))',
                          'CHECK (role IN (''librarian'', ''coordinator'', ''admin''))')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = OFF;
DROP TABLE api_tokens;
ALTER TABLE bookings DROP COLUMN inquiry_id;
ALTER TABLE bookings DROP COLUMN booked_by;
DROP TABLE inquiries;
