-- Failed sign-ins, shared by every replica, so that password guessing is
-- throttled however the load balancer spreads it, over CalDAV and the web
-- alike (store/throttle.go); and when each change-log entry was made, so
-- that the log can be pruned by age (store/changelog.go).
--
-- Times are BIGINT Unix seconds, UTC, as in 00001.

-- +goose Up

-- One failed attempt: the user name tried (lower case, clipped), the
-- client's address (an IPv6 address as its /64) and, for a browser that
-- presented a valid device cookie for that user, the cookie's nonce ('' for
-- none). Rows older than the throttle's window are deleted as new ones
-- come.
CREATE TABLE login_failures (
    id        BIGSERIAL PRIMARY KEY,
    username  TEXT   NOT NULL,
    address   TEXT   NOT NULL,
    device    TEXT   NOT NULL DEFAULT '',
    failed_at BIGINT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);
CREATE INDEX login_failures_device ON login_failures (device, failed_at) WHERE device <> '';
CREATE INDEX login_failures_failed_at ON login_failures (failed_at);

-- When the change was logged. Entries logged before this migration get the
-- time it ran, so that pruning by age starts counting from now.
ALTER TABLE calendar_changes ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE calendar_changes SET changed_at = CAST(EXTRACT(EPOCH FROM now()) AS BIGINT);
CREATE INDEX calendar_changes_changed_at ON calendar_changes (changed_at);

-- +goose Down
DROP INDEX calendar_changes_changed_at;
ALTER TABLE calendar_changes DROP COLUMN changed_at;
DROP TABLE login_failures;
