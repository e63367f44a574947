-- Failed sign-ins and change-log times. It mirrors
-- postgres/00010_login_failures_change_times.sql; read the comments there.

-- +goose Up
CREATE TABLE login_failures (
    id        INTEGER PRIMARY KEY,
    username  TEXT    NOT NULL,
    address   TEXT    NOT NULL,
    device    TEXT    NOT NULL DEFAULT '',
    failed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_username ON login_failures (username, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);
CREATE INDEX login_failures_device ON login_failures (device, failed_at) WHERE device <> '';
CREATE INDEX login_failures_failed_at ON login_failures (failed_at);

ALTER TABLE calendar_changes ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE calendar_changes SET changed_at = unixepoch();
CREATE INDEX calendar_changes_changed_at ON calendar_changes (changed_at);

-- +goose Down
DROP INDEX calendar_changes_changed_at;
ALTER TABLE calendar_changes DROP COLUMN changed_at;
DROP TABLE login_failures;
