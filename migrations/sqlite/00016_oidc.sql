-- Sign-in with OpenID Connect. It mirrors postgres/00016_oidc.sql; read
-- the comments there. Booleans are INTEGER 0 or 1 in STRICT tables.

-- +goose Up
CREATE TABLE oidc_logins (
    state_hash TEXT    PRIMARY KEY,
    nonce      TEXT    NOT NULL,
    verifier   TEXT    NOT NULL,
    purpose    TEXT    NOT NULL,
    return_to  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX oidc_logins_expires_at ON oidc_logins (expires_at);

CREATE TABLE staff_identities (
    issuer    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    user_id   INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    how       TEXT    NOT NULL,
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
) STRICT;

CREATE TABLE student_sessions (
    token_hash TEXT    PRIMARY KEY,
    identity   TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    email      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX student_sessions_expires_at ON student_sessions (expires_at);

ALTER TABLE bookings ADD COLUMN student_identity TEXT;
CREATE INDEX bookings_student_identity ON bookings (student_identity) WHERE student_identity IS NOT NULL;

ALTER TABLE services ADD COLUMN require_signin INTEGER NOT NULL DEFAULT 0 CHECK (require_signin IN (0, 1));

CREATE TABLE site_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- +goose Down
DROP TABLE site_settings;
ALTER TABLE services DROP COLUMN require_signin;
DROP INDEX bookings_student_identity;
ALTER TABLE bookings DROP COLUMN student_identity;
DROP TABLE student_sessions;
DROP TABLE staff_identities;
DROP TABLE oidc_logins;
