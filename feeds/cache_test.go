package feeds_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// An unchanged feed is served from the cache; after a change, only the
// changed object is fetched and parsed again, and the feed is new.
func TestCacheFollowsTheDatabase(t *testing.T) {
	f := loadedStore(t)
	svc := newService(t, f)
	ctx := context.Background()
	first, err := svc.Feed(ctx, "", "nb")
	if err != nil {
		t.Fatal(err)
	}
	lists, fetched := f.objectsN, f.byNameN
	again, err := svc.Feed(ctx, "", "nb")
	if err != nil {
		t.Fatal(err)
	}
	if again != first || f.objectsN != lists {
		t.Errorf("an unchanged feed was rendered again")
	}
	// Another language is another feed, from the same parsed objects.
	en, err := svc.Feed(ctx, "", "en")
	if err != nil {
		t.Fatal(err)
	}
	if en.ETag == first.ETag || f.byNameN != fetched {
		t.Errorf("English feed: ETag %s (nb %s), %d objects fetched again", en.ETag, first.ETag, f.byNameN-fetched)
	}

	changed := bytes.Replace(readSession(t, "oa-utc.ics"), []byte("Open access-kaffe"), []byte("Open access-te"), 1)
	f.put(t, "oa-utc.ics", changed, testNow)
	next, err := svc.Feed(ctx, "", "nb")
	if err != nil {
		t.Fatal(err)
	}
	if next.ETag == first.ETag || !bytes.Contains(next.Body, []byte("SUMMARY:Open access-te")) {
		t.Errorf("after a change: same ETag or old content")
	}
	if got := f.byNameN - fetched; got != 1 {
		t.Errorf("%d objects fetched with data after one changed, want 1", got)
	}

	// Topics are part of the version: a renamed theme is a new feed.
	f.mu.Lock()
	f.topics[0].NameNB = "Zotero"
	f.mu.Unlock()
	renamed, err := svc.Feed(ctx, "", "nb")
	if err != nil {
		t.Fatal(err)
	}
	if renamed.ETag == next.ETag || !bytes.Contains(renamed.Body, []byte("CATEGORIES:Zotero\r\n")) {
		t.Errorf("a renamed theme did not change the feed")
	}
}

// Feeds, the page's list and writes run together without races (go test
// -race) and every feed served is whole.
func TestConcurrentFeeds(t *testing.T) {
	f := loadedStore(t)
	svc := newService(t, f)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				theme := []string{"", "zotero", "dmp", "open-access"}[(g+i)%4]
				doc, err := svc.Feed(ctx, theme, []string{"nb", "en"}[i%2])
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.HasSuffix(doc.Body, []byte("END:VCALENDAR\r\n")) {
					t.Error("a feed is cut short")
				}
				if _, err := svc.Upcoming(ctx, testNow, testNow.AddDate(0, 0, 56)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	for i := range 10 {
		f.put(t, fmt.Sprintf("extra-%d.ics", i), bytes.ReplaceAll(readSession(t, "cancelled.ics"), []byte("cancelled-zotero@"), []byte(fmt.Sprintf("extra-%d@", i))), testNow.Add(time.Duration(i)*time.Second))
	}
	wg.Wait()
}
