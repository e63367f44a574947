package app

import (
	"strings"
	"testing"

	"github.com/veileder/veileder/external"
	"github.com/veileder/veileder/i18n"
)

// TestFeedReasonsHaveTexts: every reason the external package gives for a
// refused calendar link has a text in both languages on the staff pages.
func TestFeedReasonsHaveTexts(t *testing.T) {
	for _, r := range external.Reasons {
		for _, lang := range []string{"nb", "en"} {
			text, ok := i18n.Lookup(lang, "staff.external.error."+string(r))
			if !ok || strings.TrimSpace(text) == "" {
				t.Errorf("reason %s: no %s text", r, lang)
			}
		}
	}
}
