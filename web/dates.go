package web

import (
	"fmt"
	"time"
)

// Norwegian names are written out here: Go's time package knows only
// English ones.
var (
	weekdaysNB = [...]string{"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"}
	monthsNB   = [...]string{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"}
)

// dayName is "mandag 3. mars" or "Monday 3 March".
func dayName(lang string, t time.Time) string {
	if lang == "nb" {
		return fmt.Sprintf("%s %d. %s", weekdaysNB[t.Weekday()], t.Day(), monthsNB[t.Month()-1])
	}
	return t.Format("Monday 2 January")
}

// dateLong is dayName with the year.
func dateLong(lang string, t time.Time) string {
	return fmt.Sprintf("%s %d", dayName(lang, t), t.Year())
}

// clock is "14.30" (Norwegian writes a full stop, as Språkrådet
// recommends) or "14:30".
func clock(lang string, t time.Time) string {
	if lang == "nb" {
		return t.Format("15.04")
	}
	return t.Format("15:04")
}

// timeRange is "14.30–15.15".
func timeRange(lang string, start, end time.Time) string {
	return clock(lang, start) + "–" + clock(lang, end)
}

// weekLabel names the week from monday to the sunday after it with its
// ISO week number: "Uke 11: 10.–16. mars" or "Week 11: 10–16 March".
func weekLabel(lang string, monday time.Time) string {
	sunday := monday.AddDate(0, 0, 6)
	_, week := monday.ISOWeek()
	var span string
	switch {
	case lang == "nb" && monday.Month() == sunday.Month():
		span = fmt.Sprintf("%d.–%d. %s", monday.Day(), sunday.Day(), monthsNB[sunday.Month()-1])
	case lang == "nb":
		span = fmt.Sprintf("%d. %s–%d. %s", monday.Day(), monthsNB[monday.Month()-1], sunday.Day(), monthsNB[sunday.Month()-1])
	case monday.Month() == sunday.Month():
		span = fmt.Sprintf("%d–%d %s", monday.Day(), sunday.Day(), sunday.Format("January"))
	default:
		span = fmt.Sprintf("%d %s–%d %s", monday.Day(), monday.Format("January"), sunday.Day(), sunday.Format("January"))
	}
	return T(lang, "topic.week", week, span)
}

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
