// Package feeds publishes the shared drop-in calendar: iCalendar feeds of
// all drop-in sessions or of one theme that anyone can subscribe to
// (webcal://), the upcoming sessions for the public page, one session as a
// file to download, the tombstones that keep a removed session in the
// feeds as cancelled for a while, and the function the staff form uses to
// write sessions through the same store path as CalDAV.
//
// A session's themes are topic slugs, given as #hashtags in its SUMMARY or
// DESCRIPTION or as CATEGORIES (tags.go). Feeds are rendered with
// golang-ical (render.go) from what coordinators stored over CalDAV, keeping
// recurring sessions recurring, with every time in the library's zone and
// that zone's VTIMEZONE (vtimezone.go), and nothing personal.
//
// A feed's content is a function of the database alone: the calendar's
// sync_seq, the tombstones still shown and the topics. Its ETag and the
// in-memory cache key are computed from those, so that every replica gives
// the same ETag for the same content and a write through any replica
// invalidates every replica's cache at its next request.
package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// Store is what the feeds need from persistence (store.Store).
type Store interface {
	DropInCalendar(ctx context.Context) (booking.Calendar, error)
	// DropInVersion identifies the feeds' content: sync_seq, the number of
	// tombstones deleted at or after shownSince, the latest change.
	DropInVersion(ctx context.Context, shownSince time.Time, ttl time.Duration) (booking.DropInVersion, error)
	DropInTombstones(ctx context.Context, calendarID int64, since time.Time) ([]booking.DropInTombstone, error)
	// Topics lists the active topics: the themes.
	Topics(ctx context.Context) ([]booking.Topic, error)
	Objects(ctx context.Context, calendarID int64, withData bool) ([]booking.CalendarObject, error)
	ObjectsByName(ctx context.Context, calendarID int64, names []string) ([]booking.CalendarObject, error)
}

// Tx is the object hook's transaction (store.Tx).
type Tx interface {
	PutDropInTombstone(ctx context.Context, t booking.DropInTombstone) error
	PurgeDropInTombstones(ctx context.Context, calendarID int64, before time.Time) error
}

// DefaultTombstoneTTL is how long a removed session stays in the feeds as
// cancelled: long enough for every subscriber's app to have polled.
const DefaultTombstoneTTL = 30 * 24 * time.Hour

// productID names Veileder as the feeds' maker (RFC 5545 §3.7.3).
const productID = "-//Veileder//Drop-in feeds//NB"

// formatVersion changes when the rendering does, so that a new release
// gives new ETags for the same data.
const formatVersion = 1

// Config configures a Service.
type Config struct {
	Store Store
	// Location is the library's zone; feeds write every time in it. Nil
	// means Europe/Oslo.
	Location *time.Location
	// BaseURL is the public address, without a final slash, for the feeds'
	// SOURCE and the subscribe links.
	BaseURL string
	Logger  *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TombstoneTTL is how long a removed session stays in the feeds;
	// zero means DefaultTombstoneTTL.
	TombstoneTTL time.Duration
}

// Service renders and serves the drop-in feeds. It is safe for concurrent
// use.
type Service struct {
	store   Store
	lib     *time.Location
	baseURL string
	log     *slog.Logger
	now     func() time.Time
	ttl     time.Duration
	salt    string

	mu       sync.Mutex
	parsed   map[string]*session // by object name
	feeds    map[slot]*Doc
	events   map[eventKey]*renderedEvents
	inflight map[feedKey]*call
	upcoming *upcomingCache
}

// New builds a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("feeds: no Store configured")
	}
	s := &Service{
		store: cfg.Store, lib: cfg.Location, baseURL: strings.TrimSuffix(cfg.BaseURL, "/"),
		log: cfg.Logger, now: cfg.Now, ttl: cfg.TombstoneTTL,
		parsed: map[string]*session{}, feeds: map[slot]*Doc{}, inflight: map[feedKey]*call{},
		events: map[eventKey]*renderedEvents{},
	}
	if s.lib == nil {
		loc, err := time.LoadLocation("Europe/Oslo")
		if err != nil {
			return nil, fmt.Errorf("feeds: time zone: %w", err)
		}
		s.lib = loc
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTombstoneTTL
	}
	s.salt = fmt.Sprintf("%d|%s|%s|%d", formatVersion, s.lib.String(), s.baseURL, s.ttl)
	return s, nil
}

// Location is the library's zone the feeds are written in.
func (s *Service) Location() *time.Location { return s.lib }

// Doc is one rendered feed.
type Doc struct {
	Body []byte
	Gzip []byte // Body gzipped, for clients that accept it
	// ETag is the strong entity tag of Body, without quotes; the gzipped
	// representation's is ETag + "-gz".
	ETag     string
	Modified time.Time
	key      feedKey
}

// slot is a feed: one theme ("" for all) in one language.
type slot struct{ theme, lang string }

// feedKey is a feed's version: what its content is a function of.
type feedKey struct {
	slot
	calendarID int64
	syncSeq    int64
	tombstones int
	topics     string
}

type call struct {
	done chan struct{}
	doc  *Doc
	err  error
}

// state is what one request reads to know the feeds' version.
type state struct {
	version  booking.DropInVersion
	cutoff   time.Time // tombstones deleted before it are no longer shown
	topics   []booking.Topic
	ix       themeIndex
	topicsFP string
}

func (s *Service) state(ctx context.Context) (*state, error) {
	cutoff := time.Unix(s.now().Add(-s.ttl).Unix(), 0).UTC()
	v, err := s.store.DropInVersion(ctx, cutoff, s.ttl)
	if err != nil {
		return nil, fmt.Errorf("feeds: version: %w", err)
	}
	topics, err := s.store.Topics(ctx)
	if err != nil {
		return nil, fmt.Errorf("feeds: topics: %w", err)
	}
	h := sha256.New()
	for _, t := range topics {
		fmt.Fprintf(h, "%q %q %q %q %q\n", t.Slug, t.NameNB, t.NameEN, t.DescriptionNB, t.DescriptionEN)
	}
	return &state{version: v, cutoff: cutoff, topics: topics, ix: newThemeIndex(topics), topicsFP: hex.EncodeToString(h.Sum(nil)[:8])}, nil
}

func (st *state) key(theme, lang string) feedKey {
	return feedKey{slot: slot{theme, lang}, calendarID: st.version.CalendarID, syncSeq: st.version.SyncSeq,
		tombstones: st.version.Tombstones, topics: st.topicsFP}
}

// etag is a feed version's entity tag.
func (s *Service) etag(k feedKey) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%+v", s.salt, k))
	return hex.EncodeToString(sum[:12])
}

// normLang is "en" or "nb", the default.
func normLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "nb"
}

// Feed returns the feed of a theme ("" for all themes) in a language ("en"
// or "nb"). booking.ErrNotFound when the theme names no topic.
func (s *Service) Feed(ctx context.Context, theme, lang string) (*Doc, error) {
	st, err := s.state(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := st.ix.bySlug[theme]; theme != "" && !ok {
		return nil, fmt.Errorf("feeds: theme %q: %w", theme, booking.ErrNotFound)
	}
	return s.feed(ctx, st, theme, normLang(lang))
}

// feed returns the cached feed of the state's version, or renders it once
// however many requests ask at the same time.
func (s *Service) feed(ctx context.Context, st *state, theme, lang string) (*Doc, error) {
	k := st.key(theme, lang)
	s.mu.Lock()
	if d := s.feeds[k.slot]; d != nil && d.key == k {
		s.mu.Unlock()
		return d, nil
	}
	if c := s.inflight[k]; c != nil {
		s.mu.Unlock()
		select {
		case <-c.done:
			return c.doc, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c := &call{done: make(chan struct{})}
	s.inflight[k] = c
	s.mu.Unlock()

	// Rendered for everyone waiting: a client that hangs up does not
	// cancel it (the store's timeouts still bound it).
	c.doc, c.err = s.render(context.WithoutCancel(ctx), st, k)
	s.mu.Lock()
	delete(s.inflight, k)
	if c.err == nil {
		s.feeds[k.slot] = c.doc
	}
	s.mu.Unlock()
	close(c.done)
	return c.doc, c.err
}

// render builds one feed.
func (s *Service) render(ctx context.Context, st *state, k feedKey) (*Doc, error) {
	theme, lang := k.theme, k.lang
	sessions, err := s.sessions(ctx, st.version.CalendarID)
	if err != nil {
		return nil, err
	}
	tombs, err := s.store.DropInTombstones(ctx, st.version.CalendarID, st.cutoff)
	if err != nil {
		return nil, fmt.Errorf("feeds: tombstones: %w", err)
	}
	r := newRenderer(s.lib, lang, st.ix)
	live, inFeed := map[string]bool{}, map[string]bool{}
	var events []ics.Component
	for _, ss := range sessions {
		if !ss.public {
			continue
		}
		live[ss.uid] = true
		if theme != "" && !ss.inTheme(st.ix, theme) {
			continue
		}
		inFeed[ss.uid] = true
		ev, err := s.sessionEvents(ss, lang, st)
		if err != nil {
			return nil, err
		}
		for _, z := range ev.zones {
			r.use(z.loc, z.first)
			r.use(z.loc, z.last)
		}
		events = append(events, ev.body)
	}
	s.pruneEvents(sessions)
	sort.SliceStable(tombs, func(i, j int) bool {
		if !tombs[i].Start.Equal(tombs[j].Start) {
			return tombs[i].Start.Before(tombs[j].Start)
		}
		return tombs[i].UID < tombs[j].UID
	})
	for _, t := range tombs {
		themes, _ := st.ix.split(t.Themes)
		switch {
		case theme == "" && live[t.UID]:
			continue
		case theme != "" && (inFeed[t.UID] || !slices.Contains(themes, theme)):
			continue
		}
		events = append(events, event(t.UID, r.tombstoneProps(t, themes)))
	}
	body, err := r.serialize(s.head(st, theme, lang), events)
	if err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(body); err != nil {
		return nil, fmt.Errorf("feeds: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("feeds: gzip: %w", err)
	}
	return &Doc{Body: body, Gzip: gz.Bytes(), ETag: s.etag(k), Modified: st.version.Modified, key: k}, nil
}

// eventKey is what a session's rendered VEVENTs depend on.
type eventKey struct {
	name, etag     string
	seq, modified  int64
	lang, topicsFP string
}

// renderedEvents are a session's VEVENTs as golang-ical wrote them, and
// the zones they use, whose VTIMEZONEs the feed must carry.
type renderedEvents struct {
	body  rawComponent
	zones []zoneUse
}

// serialConfig is how golang-ical writes: CRLF, folding at 75 octets.
var serialConfig = ics.SerializationConfiguration{MaxLength: 75, PropertyMaxLength: 75, NewLine: "\r\n"}

// sessionEvents renders a session's VEVENTs, or takes them from the
// cache: after a change only the changed sessions are rendered again.
func (s *Service) sessionEvents(ss *session, lang string, st *state) (*renderedEvents, error) {
	k := eventKey{ss.name, ss.etag, ss.seq, ss.modified.Unix(), lang, st.topicsFP}
	s.mu.Lock()
	ev := s.events[k]
	s.mu.Unlock()
	if ev != nil {
		return ev, nil
	}
	r := newRenderer(s.lib, lang, st.ix)
	zone := r.seriesZone(ss)
	var buf bytes.Buffer
	for _, c := range ss.comps {
		if err := event(ss.uid, r.eventProps(ss, c, zone)).SerializeTo(&buf, &serialConfig); err != nil {
			return nil, fmt.Errorf("feeds: serialize %s: %w", ss.name, err)
		}
	}
	ev = &renderedEvents{body: buf.Bytes()}
	for _, z := range r.zones {
		ev.zones = append(ev.zones, *z)
	}
	s.mu.Lock()
	s.events[k] = ev
	s.mu.Unlock()
	return ev, nil
}

// pruneEvents forgets rendered events of objects that changed or left.
func (s *Service) pruneEvents(sessions []*session) {
	type version struct {
		name, etag string
		seq        int64
	}
	current := make(map[version]bool, len(sessions))
	for _, ss := range sessions {
		current[version{ss.name, ss.etag, ss.seq}] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.events {
		if !current[version{k.name, k.etag, k.seq}] {
			delete(s.events, k)
		}
	}
}

// rawComponent is a component golang-ical already wrote.
type rawComponent []byte

func (rawComponent) UnknownPropertiesIANAProperties() []ics.IANAProperty { return nil }
func (rawComponent) SubComponents() []ics.Component                      { return nil }
func (r rawComponent) SerializeTo(w io.Writer, _ *ics.SerializationConfiguration) error {
	_, err := w.Write(r)
	return err
}

var _ ics.Component = rawComponent(nil)

// head names a feed in its language.
func (s *Service) head(st *state, theme, lang string) calendarHead {
	h := calendarHead{feed: true, name: i18n.T(lang, "feed.name"), description: i18n.T(lang, "feed.description")}
	if theme != "" {
		t := st.ix.bySlug[theme]
		name := t.Name(lang)
		h.name = i18n.T(lang, "feed.name.theme", name)
		h.description = i18n.T(lang, "feed.description.theme", name)
		if d := t.Description(lang); d != "" {
			h.description += "\n\n" + d
		}
	}
	if s.baseURL != "" {
		h.source = s.FeedURL(theme, lang)
	}
	return h
}

// FeedURL is the https:// (or http://) address of a feed.
func (s *Service) FeedURL(theme, lang string) string {
	u := s.baseURL + "/feeds/dropin.ics"
	if theme != "" {
		u = s.baseURL + "/feeds/dropin/" + theme + ".ics"
	}
	if normLang(lang) == "en" {
		u += "?lang=en"
	}
	return u
}

// sessions returns the calendar's objects parsed, ordered by first start
// and UID. Parsed objects are kept by name and ETag, so that after a change
// only the changed objects are fetched with their data and parsed again.
func (s *Service) sessions(ctx context.Context, calendarID int64) ([]*session, error) {
	list, err := s.store.Objects(ctx, calendarID, false)
	if err != nil {
		return nil, fmt.Errorf("feeds: objects: %w", err)
	}
	out := make([]*session, 0, len(list))
	var missing []string
	s.mu.Lock()
	for _, o := range list {
		if p := s.parsed[o.Name]; p != nil && p.etag == o.ETag {
			// The same bytes may have been stored again: take the row's
			// own change number and time.
			cp := *p
			cp.seq, cp.modified, cp.first = o.Seq, o.ModifiedAt, firstOr(o.FirstStart, p.first)
			out = append(out, &cp)
			continue
		}
		missing = append(missing, o.Name)
	}
	s.mu.Unlock()
	if len(missing) > 0 {
		objs, err := s.store.ObjectsByName(ctx, calendarID, missing)
		if err != nil {
			return nil, fmt.Errorf("feeds: objects: %w", err)
		}
		fresh := make([]*session, 0, len(objs))
		for _, o := range objs {
			p, err := parseSession(o, s.lib)
			if err != nil {
				s.log.Warn("feeds: drop-in object does not parse", "object", o.Name, "err", err)
				continue
			}
			fresh = append(fresh, p)
		}
		s.mu.Lock()
		for _, p := range fresh {
			s.parsed[p.name] = p
		}
		s.mu.Unlock()
		out = append(out, fresh...)
	}
	// Forget objects that are gone.
	s.mu.Lock()
	if len(s.parsed) > len(list) {
		names := make(map[string]bool, len(list))
		for _, o := range list {
			names[o.Name] = true
		}
		for name := range s.parsed {
			if !names[name] {
				delete(s.parsed, name)
			}
		}
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].first.Equal(out[j].first) {
			return out[i].first.Before(out[j].first)
		}
		return out[i].uid < out[j].uid
	})
	return out, nil
}

func firstOr(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// Themes lists the topics a session can be tagged with.
func (s *Service) Themes(ctx context.Context) ([]booking.Topic, error) {
	topics, err := s.store.Topics(ctx)
	if err != nil {
		return nil, fmt.Errorf("feeds: topics: %w", err)
	}
	return topics, nil
}

// UnknownTags lists the tags in drop-in sessions that name no topic, for
// the admin view, by object name. Such tags are also logged, at warn, when
// a session carrying them is written.
func (s *Service) UnknownTags(ctx context.Context) ([]booking.DropInTag, error) {
	st, err := s.state(ctx)
	if err != nil {
		return nil, err
	}
	sessions, err := s.sessions(ctx, st.version.CalendarID)
	if err != nil {
		return nil, err
	}
	var out []booking.DropInTag
	for _, ss := range sessions {
		_, unknown := ss.themes(st.ix)
		summary := ""
		if len(ss.comps) > 0 {
			summary = text(ss.comps[0], "SUMMARY")
		}
		for _, tag := range unknown {
			out = append(out, booking.DropInTag{Tag: tag, Object: ss.name, UID: ss.uid, Summary: summary})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Object < out[j].Object })
	return out, nil
}
