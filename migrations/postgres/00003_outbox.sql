-- The outbox gets what the sender and the reminder job need.
--
-- * status 'skipped': a message that was not sent on purpose (its booking
--   was anonymised or deleted, or a later change made it moot). It is
--   neither pending nor a failure an admin must look at.
-- * One message per booking, kind and sequence: the reminder job, which
--   every replica runs, inserts with ON CONFLICT DO NOTHING, so that a
--   reminder is queued once however many replicas race. Every other kind
--   is queued once per sequence by the booking change that causes it.
-- * Partial indexes for the sender's claim (due, pending messages) and
--   the reminder job (confirmed bookings by start).
-- * secrets: random keys the service makes once and every replica shares
--   (the key that derives the manage links in e-mails), unless the
--   operator configures one.

-- +goose Up
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'skipped'));

-- No code path queued duplicates, but the index must not fail on a
-- database that has some: the oldest of each stays.
DELETE FROM outbox o USING outbox p
WHERE o.booking_id = p.booking_id AND o.kind = p.kind AND o.sequence = p.sequence AND o.id > p.id;
CREATE UNIQUE INDEX outbox_booking_kind_sequence ON outbox (booking_id, kind, sequence);
CREATE INDEX outbox_due ON outbox (send_after, id) WHERE status = 'pending';
-- The reminder job looks for confirmed bookings by start time.
CREATE INDEX bookings_confirmed_start ON bookings (start_at) WHERE status = 'confirmed';

CREATE TABLE secrets (
    name       TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE secrets;
DROP INDEX bookings_confirmed_start;
DROP INDEX outbox_due;
DROP INDEX outbox_booking_kind_sequence;
UPDATE outbox SET status = 'sent' WHERE status = 'skipped';
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sent', 'failed'));
