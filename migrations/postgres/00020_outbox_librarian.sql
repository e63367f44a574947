-- The librarian a message is for when it is not the booking's own: a
-- booking moved to another librarian leaves the one it had before an
-- iMIP CANCEL for the copy in their own calendar (librarian-release).
-- Empty for every other message, which goes to the booking's student or
-- its librarian as it is when sent.

-- +goose Up
ALTER TABLE outbox ADD COLUMN librarian_id BIGINT REFERENCES users(id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE outbox DROP COLUMN librarian_id;
