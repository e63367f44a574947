-- Drop-in feeds keep a deleted session, or one that lost a theme, as a
-- tombstone for a while, so that the feeds can show it as STATUS:CANCELLED
-- and subscribers' calendar apps drop their copies. A row is written by the
-- drop-in calendar's object hook in the transaction of the CalDAV write that
-- removed the session, so it exists if and only if that write committed.
-- It holds what the cancelled event shows (no personal data: drop-in
-- sessions carry none, and ORGANIZER/ATTENDEE are never kept).
--
-- themes is the comma-separated list of the tags the session lost; a
-- session deleted outright lost all of them. seq is the calendar's
-- sync_seq of that change, which becomes the event's SEQUENCE.

-- +goose Up
CREATE TABLE dropin_tombstones (
    calendar_id BIGINT  NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    uid         TEXT    NOT NULL,
    summary     TEXT    NOT NULL DEFAULT '',
    start_at    BIGINT  NOT NULL,
    end_at      BIGINT  NOT NULL,
    all_day     BOOLEAN NOT NULL DEFAULT FALSE,
    themes      TEXT    NOT NULL DEFAULT '',
    deleted_at  BIGINT  NOT NULL,
    seq         BIGINT  NOT NULL,
    PRIMARY KEY (calendar_id, uid)
);
-- Feeds read the tombstones newer than a cut-off; writes purge older ones.
CREATE INDEX dropin_tombstones_deleted_at ON dropin_tombstones (calendar_id, deleted_at);

-- +goose Down
DROP TABLE dropin_tombstones;
