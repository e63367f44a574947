package ops

import (
	"context"
	"strings"
	"testing"
)

type fakeFeeds struct{}

func (fakeFeeds) ExternalFeedCounts(context.Context) (map[string]int64, int64, error) {
	return map[string]int64{"ok": 4, "failing": 2}, 1, nil
}

func TestExternalMetrics(t *testing.T) {
	m := New(nil, nil)
	m.WatchExternal(fakeFeeds{}, nil)
	got := scrape(t, m)
	for _, want := range []string{
		`veileder_external_calendars{state="ok"} 4`,
		`veileder_external_calendars{state="failing"} 2`,
		`veileder_external_calendars{state="pending"} 0`,
		`veileder_external_calendars_flagged 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
