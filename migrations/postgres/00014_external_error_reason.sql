-- Why an external calendar's last fetch failed, as a reason code and its
-- value (external.Reason), besides last_error's English text: the staff
-- pages say it in the librarian's language. Empty for a calendar that has
-- not failed since this migration, whose pages show last_error.

-- +goose Up
ALTER TABLE external_calendars ADD COLUMN last_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE external_calendars ADD COLUMN last_reason_arg TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE external_calendars DROP COLUMN last_reason_arg;
ALTER TABLE external_calendars DROP COLUMN last_reason;
