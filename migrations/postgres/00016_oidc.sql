-- Sign-in with OpenID Connect (Feide or another provider): logins under
-- way, staff accounts linked to a provider's subject, signed-in students,
-- the identity a booking was made with, the per-service requirement to
-- sign in, and the site's sign-in settings.
--
-- Times are BIGINT Unix seconds, UTC, as in 00001. No provider token is
-- stored: a login keeps only what its callback must check, and a signed-in
-- student only what the booking form needs.

-- +goose Up

-- A login started on any replica and finished on any other: the SHA-256
-- (hex) of the state parameter, the nonce the ID token must carry, the
-- PKCE verifier, what the login is for ("staff", "student") and where it
-- goes afterwards. The callback deletes the row as it reads it, so that a
-- state is used once.
CREATE TABLE oidc_logins (
    state_hash TEXT   PRIMARY KEY,
    nonce      TEXT   NOT NULL,
    verifier   TEXT   NOT NULL,
    purpose    TEXT   NOT NULL,
    return_to  TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_logins_expires_at ON oidc_logins (expires_at);

-- A staff account linked to a provider's subject. how is "admin" (linked
-- on the user page), "email" or "principal" (linked at a first sign-in by
-- a verified e-mail address or eduPersonPrincipalName).
CREATE TABLE staff_identities (
    issuer    TEXT   NOT NULL,
    subject   TEXT   NOT NULL,
    user_id   BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    how       TEXT   NOT NULL,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

-- A student signed in with the provider: only the SHA-256 of the cookie's
-- token is stored, with the subject and the verified name and e-mail
-- address the booking form fills in, until the session expires.
CREATE TABLE student_sessions (
    token_hash TEXT   PRIMARY KEY,
    identity   TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    email      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX student_sessions_expires_at ON student_sessions (expires_at);

-- The verified identity (issuer and subject) a booking was made with;
-- NULL for an anonymous booking and once the booking is anonymised.
ALTER TABLE bookings ADD COLUMN student_identity TEXT;
CREATE INDEX bookings_student_identity ON bookings (student_identity) WHERE student_identity IS NOT NULL;

-- A service whose bookings need a signed-in student.
ALTER TABLE services ADD COLUMN require_signin BOOLEAN NOT NULL DEFAULT FALSE;

-- Site-wide settings the admins change on the web, by name.
CREATE TABLE site_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE site_settings;
ALTER TABLE services DROP COLUMN require_signin;
DROP INDEX bookings_student_identity;
ALTER TABLE bookings DROP COLUMN student_identity;
DROP TABLE student_sessions;
DROP TABLE staff_identities;
DROP TABLE oidc_logins;
