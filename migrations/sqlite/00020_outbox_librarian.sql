-- The librarian a message is for when it is not the booking's own. It
-- mirrors postgres/00020_outbox_librarian.sql; read the comments there.

-- +goose Up
ALTER TABLE outbox ADD COLUMN librarian_id INTEGER REFERENCES users(id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE outbox DROP COLUMN librarian_id;
