package web

import (
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// TestStudyLevelTexts checks that every choice of the booking form's
// study level select has its text; the i18n package checks the keys that
// the code and templates name literally.
func TestStudyLevelTexts(t *testing.T) {
	for _, l := range booking.StudyLevels {
		for _, lang := range i18n.Languages() {
			if _, ok := i18n.Lookup(lang, "level."+l); !ok {
				t.Errorf("no %s text for study level %q", lang, l)
			}
		}
	}
}

func TestWeeksAcrossDST(t *testing.T) {
	// The week of 29 March 2026, when Oslo moves to summer time, is 167
	// hours long; its Monday and the next are still local midnights.
	w := weekStart(time.Date(2026, 3, 29, 23, 30, 0, 0, oslo), oslo)
	if got, want := w, time.Date(2026, 3, 23, 0, 0, 0, 0, oslo); !got.Equal(want) {
		t.Errorf("weekStart = %v, want %v", got, want)
	}
	next := addWeeks(w, 1)
	if got, want := next, time.Date(2026, 3, 30, 0, 0, 0, 0, oslo); !got.Equal(want) {
		t.Errorf("addWeeks = %v, want %v", got, want)
	}
	if got, want := next.Sub(w), 167*time.Hour; got != want {
		t.Errorf("week length = %v, want %v", got, want)
	}
	if got, want := addWeeks(time.Date(2026, 10, 19, 0, 0, 0, 0, oslo), 1).Sub(time.Date(2026, 10, 19, 0, 0, 0, 0, oslo)), 169*time.Hour; got != want {
		t.Errorf("autumn week length = %v, want %v", got, want)
	}
}

// TestContrast checks the stylesheet's text colours against the
// backgrounds they are used on, for WCAG 2.1 AA (4.5:1).
func TestContrast(t *testing.T) {
	css, err := os.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-f]{6});`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	pairs := [][2]string{
		{"text", "bg"}, {"muted", "bg"}, {"link", "bg"}, {"link-hover", "bg"}, {"error", "bg"}, {"success", "bg"},
		{"button-text", "button-bg"}, {"button-text", "link-hover"}, {"button-text", "error"},
		{"text", "panel"}, {"link", "panel"}, {"link-hover", "panel"}, {"muted", "panel"}, {"text", "focus"},
		// A cancelled drop-in session says so in --error on its card.
		{"error", "panel"},
	}
	for _, p := range pairs {
		fg, bg := vars[p[0]], vars[p[1]]
		if fg == "" || bg == "" {
			t.Errorf("colour --%s or --%s is not defined", p[0], p[1])
			continue
		}
		if got := contrast(fg, bg); got < 4.5 {
			t.Errorf("contrast of --%s %s on --%s %s = %.2f, want at least 4.5", p[0], fg, p[1], bg, got)
		}
	}
	// Non-text edges (inputs, focus ring) need 3:1 (WCAG 2.1, 1.4.11).
	if got := contrast(vars["border"], vars["bg"]); got < 3 {
		t.Errorf("contrast of --border = %.2f, want at least 3", got)
	}
	if slices.Contains([]string{"", "inherit"}, vars["text"]) {
		t.Errorf("no text colour")
	}
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	ch := func(s string) float64 {
		v, _ := strconv.ParseUint(s, 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	hex = strings.TrimPrefix(hex, "#")
	return 0.2126*ch(hex[0:2]) + 0.7152*ch(hex[2:4]) + 0.0722*ch(hex[4:6])
}
