-- Links for online meetings: a librarian's own room in their profile, and a
-- template per service that makes a room per booking ('{id}' becomes the
-- booking's number). A window's own link wins over both; which one a
-- booking gets is decided when it is made (booking.MeetingLink) and kept
-- in the booking's location, so changing a profile later does not move a
-- meeting that students were already sent.

-- +goose Up
ALTER TABLE librarian_profiles ADD COLUMN meeting_url TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN meeting_url_template TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE services DROP COLUMN meeting_url_template;
ALTER TABLE librarian_profiles DROP COLUMN meeting_url;
