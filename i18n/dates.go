package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Norwegian names are written out here: Go's time package knows only
// English ones. Arrays, so that nothing can change them.
var (
	weekdaysNB = [...]string{"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"}
	monthsNB   = [...]string{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"}
)

func month(lang string, m time.Month) string {
	if lang == EN {
		return m.String()
	}
	return monthsNB[m-1]
}

// Day is "mandag 3. mars" or "Monday 3 March".
func Day(lang string, t time.Time) string {
	if lang == EN {
		return t.Format("Monday 2 January")
	}
	return fmt.Sprintf("%s %d. %s", weekdaysNB[t.Weekday()], t.Day(), monthsNB[t.Month()-1])
}

// DateLong is Day with the year: "tirsdag 10. mars 2026", "Tuesday 10
// March 2026".
func DateLong(lang string, t time.Time) string {
	return fmt.Sprintf("%s %d", Day(lang, t), t.Year())
}

// Clock is "14.30" (Norwegian writes a full stop, as Språkrådet
// recommends) or "14:30".
func Clock(lang string, t time.Time) string {
	if lang == EN {
		return t.Format("15:04")
	}
	return t.Format("15.04")
}

// Range is "14.30–15.15" or "14:30–15:15".
func Range(lang string, start, end time.Time) string {
	return Clock(lang, start) + "–" + Clock(lang, end)
}

// Week names the week from monday to the sunday after it with its ISO
// week number: "Uke 11: 10.–16. mars" or "Week 11: 10–16 March".
func Week(lang string, monday time.Time) string {
	sunday := monday.AddDate(0, 0, 6)
	_, week := monday.ISOWeek()
	var span string
	switch {
	case lang != EN && monday.Month() == sunday.Month():
		span = fmt.Sprintf("%d.–%d. %s", monday.Day(), sunday.Day(), month(lang, sunday.Month()))
	case lang != EN:
		span = fmt.Sprintf("%d. %s–%d. %s", monday.Day(), month(lang, monday.Month()), sunday.Day(), month(lang, sunday.Month()))
	case monday.Month() == sunday.Month():
		span = fmt.Sprintf("%d–%d %s", monday.Day(), sunday.Day(), month(lang, sunday.Month()))
	default:
		span = fmt.Sprintf("%d %s–%d %s", monday.Day(), month(lang, monday.Month()), sunday.Day(), month(lang, sunday.Month()))
	}
	return T(lang, "topic.week", week, span)
}

// Hours is a duration in hours with one decimal: "1,5 t" or "1.5 h".
func Hours(lang string, d time.Duration) string {
	h := Decimal(lang, d.Hours(), 1)
	if lang == EN {
		return h + " h"
	}
	return h + " t"
}

// Decimal writes v with prec decimals as the language does: a decimal
// comma in Norwegian ("1,5"), a point in English ("1.5"). Files meant
// for programs (CSV) keep the point and do not use it.
func Decimal(lang string, v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if lang == EN {
		return s
	}
	return strings.Replace(s, ".", ",", 1)
}

// WeekdayName is a weekday's name as a label: "Mandag", "Monday".
func WeekdayName(lang string, d time.Weekday) string {
	if lang == EN {
		return d.String()
	}
	n := weekdaysNB[d%7]
	return strings.ToUpper(n[:1]) + n[1:]
}
