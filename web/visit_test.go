package web

import (
	"net/http"
	"testing"
)

// TestUnmetDemandOncePerVisit: when nothing is free, the page a student
// lands on asks for unmet demand to be recorded, once per visit and
// filters; paging to another week, reloading, and the API's narrowed
// searches do not. (The service itself then checks the whole horizon.)
func TestUnmetDemandOncePerVisit(t *testing.T) {
	e := newEnv(t)
	e.booker.slots = nil // nothing is free anywhere
	unmet := func() int {
		e.booker.mu.Lock()
		defer e.booker.mu.Unlock()
		return len(e.booker.unmet)
	}
	browser := e.client(t)
	steps := []struct {
		what string
		c    *http.Client
		path string
		want int // unmet asks so far
	}{
		{"landing on a topic", browser, "/topics/systematisk", 1},
		{"reloading it", browser, "/topics/systematisk", 1},
		{"paging to a week", browser, "/topics/systematisk?week=2026-03-30", 1},
		{"other filters", browser, "/topics/systematisk?mode=online", 2},
		{"another topic", browser, "/topics/zotero", 3},
		{"another visit", e.client(t), "/topics/systematisk", 4},
		{"API, narrowed", browser, "/api/slots?topic=systematisk&from=2026-03-30T00:00:00Z", 4},
		{"API, whole horizon", browser, "/api/slots?topic=systematisk", 5},
	}
	for _, st := range steps {
		if r := e.get(t, st.c, st.path); r.status != http.StatusOK {
			t.Fatalf("%s: GET %s: %d", st.what, st.path, r.status)
		}
		if got := unmet(); got != st.want {
			t.Errorf("%s: %d searches asked to record unmet demand, want %d", st.what, got, st.want)
		}
	}
}
