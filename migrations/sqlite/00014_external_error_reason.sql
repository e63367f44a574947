-- Why an external calendar's last fetch failed, as a code. It mirrors
-- postgres/00012_external_error_reason.sql; read the comments there.

-- +goose Up
ALTER TABLE external_calendars ADD COLUMN last_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE external_calendars ADD COLUMN last_reason_arg TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE external_calendars DROP COLUMN last_reason_arg;
ALTER TABLE external_calendars DROP COLUMN last_reason;
