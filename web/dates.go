package web

import "time"

// weekStart is local midnight of the Monday of t's week in loc. Building
// it with time.Date keeps it right across daylight-saving changes.
func weekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	back := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, loc)
}

// addWeeks moves a local midnight by whole weeks of calendar days.
func addWeeks(t time.Time, n int) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()+7*n, 0, 0, 0, 0, t.Location())
}
