package i18n

import (
	"testing"
	"time"
)

func TestDates(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang string
		t    time.Time
		f    func(string, time.Time) string
		want string
	}{
		{"nb", time.Date(2026, 3, 9, 0, 0, 0, 0, oslo), Day, "mandag 9. mars"},
		{"en", time.Date(2026, 3, 9, 0, 0, 0, 0, oslo), Day, "Monday 9 March"},
		{"nb", time.Date(2026, 8, 1, 0, 0, 0, 0, oslo), DateLong, "lørdag 1. august 2026"},
		{"nb", time.Date(2026, 5, 17, 0, 0, 0, 0, oslo), DateLong, "søndag 17. mai 2026"},
		{"nb", time.Date(2026, 3, 10, 0, 0, 0, 0, oslo), DateLong, "tirsdag 10. mars 2026"},
		{"en", time.Date(2026, 12, 24, 0, 0, 0, 0, oslo), DateLong, "Thursday 24 December 2026"},
		{"nb", time.Date(2026, 3, 9, 14, 30, 0, 0, oslo), Clock, "14.30"},
		{"en", time.Date(2026, 3, 9, 14, 30, 0, 0, oslo), Clock, "14:30"},
		{"nb", time.Date(2026, 3, 30, 0, 0, 0, 0, oslo), Week, "Uke 14: 30. mars–5. april"},
		{"en", time.Date(2026, 3, 30, 0, 0, 0, 0, oslo), Week, "Week 14: 30 March–5 April"},
		{"nb", time.Date(2026, 3, 9, 0, 0, 0, 0, oslo), Week, "Uke 11: 9.–15. mars"},
		{"en", time.Date(2026, 3, 9, 0, 0, 0, 0, oslo), Week, "Week 11: 9–15 March"},
		// The ISO week of 28 December 2026 is week 53, into January.
		{"nb", time.Date(2026, 12, 28, 0, 0, 0, 0, oslo), Week, "Uke 53: 28. desember–3. januar"},
	}
	for _, tt := range tests {
		if got := tt.f(tt.lang, tt.t); got != tt.want {
			t.Errorf("%s %v = %q, want %q", tt.lang, tt.t, got, tt.want)
		}
	}
	start, end := time.Date(2026, 3, 9, 9, 0, 0, 0, oslo), time.Date(2026, 3, 9, 9, 45, 0, 0, oslo)
	if got, want := Range("nb", start, end), "09.00–09.45"; got != want {
		t.Errorf("Range nb = %q, want %q", got, want)
	}
	if got, want := Range("en", start, end), "09:00–09:45"; got != want {
		t.Errorf("Range en = %q, want %q", got, want)
	}
}

func TestHours(t *testing.T) {
	tests := []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"nb", 90 * time.Minute, "1,5 t"},
		{"en", 90 * time.Minute, "1.5 h"},
		{"nb", 26 * time.Hour, "26,0 t"},
		{"en", 0, "0.0 h"},
	}
	for _, tt := range tests {
		if got := Hours(tt.lang, tt.d); got != tt.want {
			t.Errorf("Hours(%q, %v) = %q, want %q", tt.lang, tt.d, got, tt.want)
		}
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		lang string
		v    float64
		prec int
		want string
	}{
		{"nb", 1.5, 1, "1,5"},
		{"en", 1.5, 1, "1.5"},
		{"nb", 2, 1, "2,0"},
		{"nb", 12.345, 2, "12,35"},
		{"en", 0.75, 2, "0.75"},
		{"nb", 3, 0, "3"},
	}
	for _, tt := range tests {
		if got := Decimal(tt.lang, tt.v, tt.prec); got != tt.want {
			t.Errorf("Decimal(%s, %v, %d) = %q, want %q", tt.lang, tt.v, tt.prec, got, tt.want)
		}
	}
}
