-- +goose Up
-- PostgreSQL answers time-range candidate queries with a GiST index on each
-- object's [first start, last end] range (NULL bounds are open), one index
-- scan instead of the span-class union SQLite uses (00006): planning that
-- union for every calendar of every librarian cost more than the scan.
CREATE INDEX calendar_objects_range ON calendar_objects
    USING gist (calendar_id, component, int8range(first_start, last_end, '[]'));

-- +goose Down
DROP INDEX calendar_objects_range;
