-- Links for online meetings. It mirrors postgres/00013_meeting_links.sql;
-- read the comments there.

-- +goose Up
ALTER TABLE librarian_profiles ADD COLUMN meeting_url TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN meeting_url_template TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE services DROP COLUMN meeting_url_template;
ALTER TABLE librarian_profiles DROP COLUMN meeting_url;
