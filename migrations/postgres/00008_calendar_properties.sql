-- +goose Up
-- Other WebDAV properties calendar apps set on a calendar with PROPPATCH
-- or MKCALENDAR (RFC 4918 dead properties, such as Apple's
-- schedule-calendar-transp): a JSON object from "{namespace}name" to the
-- property's content as XML. They travel with the calendar row, so reading
-- a calendar costs no extra query.
ALTER TABLE calendars ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE calendars DROP COLUMN properties;
