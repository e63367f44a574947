-- The CalDAV schema: staff users, their app passwords, calendar collections,
-- the iCalendar objects in them and each calendar's change log. It mirrors
-- postgres/00001_caldav.sql; read the comments there.
--
-- Every point in time is an INTEGER of Unix seconds, UTC, as in PostgreSQL,
-- so that one SQL text serves both databases.
--
-- Tables are STRICT so that SQLite rejects a value of the wrong type as
-- PostgreSQL would, instead of storing it (a BLOB in a TEXT column, say).
-- STRICT knows only INTEGER, REAL, TEXT, BLOB and ANY, so booleans are
-- INTEGER 0 or 1. AUTOINCREMENT keeps ids from being reused after a delete,
-- as PostgreSQL's identity columns do: a recreated calendar must not inherit
-- an old one's id, or an old sync-token could look valid.

-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL CHECK (role IN ('librarian', 'coordinator', 'admin')),
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE app_passwords (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label         TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
) STRICT;
CREATE INDEX app_passwords_user_id ON app_passwords (user_id);

CREATE TABLE calendars (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
    slug         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('availability', 'bookings', 'personal', 'dropin', 'other')),
    display_name TEXT    NOT NULL DEFAULT '',
    description  TEXT    NOT NULL DEFAULT '',
    color        TEXT    NOT NULL DEFAULT '',
    sort_order   INTEGER NOT NULL DEFAULT 0,
    components   TEXT    NOT NULL DEFAULT 'VEVENT',
    timezone     TEXT    NOT NULL DEFAULT '',
    sync_seq     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX calendars_owner_slug ON calendars (owner_id, slug) WHERE owner_id IS NOT NULL;
CREATE UNIQUE INDEX calendars_shared_slug ON calendars (slug) WHERE owner_id IS NULL;

CREATE TABLE calendar_objects (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    uid         TEXT    NOT NULL,
    component   TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    etag        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    first_start INTEGER,
    last_end    INTEGER,
    modified_at INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (calendar_id, name),
    UNIQUE (calendar_id, uid)
) STRICT;
CREATE INDEX calendar_objects_first_start ON calendar_objects (calendar_id, component, first_start);
CREATE INDEX calendar_objects_last_end ON calendar_objects (calendar_id, component, last_end);

CREATE TABLE calendar_changes (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    deleted     INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    PRIMARY KEY (calendar_id, seq)
) STRICT;
CREATE INDEX calendar_changes_name ON calendar_changes (calendar_id, name, seq);

INSERT INTO calendars (owner_id, slug, kind, display_name, components, created_at, updated_at)
VALUES (NULL, 'dropin', 'dropin', 'Drop-in', 'VEVENT', unixepoch(), unixepoch());

-- +goose Down
DROP TABLE calendar_changes;
DROP TABLE calendar_objects;
DROP TABLE calendars;
DROP TABLE app_passwords;
DROP TABLE users;
