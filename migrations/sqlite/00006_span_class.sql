-- +goose Up
-- Each calendar object's span class: how long from its first start to its
-- last end, in powers of two (class 0: up to an hour; class k: up to 2^(k-1)
-- days; 99: unbounded or longer than 1024 days). A time-range query then
-- reads, per class, only objects starting within that class's span before
-- the range: an index range scan whose size depends on how many events lie
-- near the range, not on how many the calendar holds.
ALTER TABLE calendar_objects ADD COLUMN span_class INTEGER NOT NULL DEFAULT 99;
UPDATE calendar_objects SET span_class = CASE
    WHEN first_start IS NULL OR last_end IS NULL THEN 99
    WHEN last_end - first_start <= 3600 THEN 0
    WHEN last_end - first_start <= 86400 THEN 1
    WHEN last_end - first_start <= 172800 THEN 2
    WHEN last_end - first_start <= 345600 THEN 3
    WHEN last_end - first_start <= 691200 THEN 4
    WHEN last_end - first_start <= 1382400 THEN 5
    WHEN last_end - first_start <= 2764800 THEN 6
    WHEN last_end - first_start <= 5529600 THEN 7
    WHEN last_end - first_start <= 11059200 THEN 8
    WHEN last_end - first_start <= 22118400 THEN 9
    WHEN last_end - first_start <= 44236800 THEN 10
    WHEN last_end - first_start <= 88473600 THEN 11
    ELSE 99
  END;
CREATE INDEX calendar_objects_span ON calendar_objects (calendar_id, component, span_class, first_start);

-- +goose Down
DROP INDEX calendar_objects_span;
ALTER TABLE calendar_objects DROP COLUMN span_class;
