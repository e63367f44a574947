package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// DropIn is what the drop-in pages need from the feeds (feeds.Service):
// the upcoming sessions, the themes, and the feed and session files,
// which it serves itself (conditional GET, gzip, CORS).
type DropIn interface {
	// Upcoming lists the occurrences overlapping [from, to), by start.
	Upcoming(ctx context.Context, from, to time.Time) ([]booking.DropInOccurrence, error)
	// Themes lists the topics sessions can be tagged with.
	Themes(ctx context.Context) ([]booking.Topic, error)
	// ServeFeed answers for a feed of one theme, or of all ("").
	ServeFeed(w http.ResponseWriter, r *http.Request, theme string)
	// ServeSession answers for one session's calendar file.
	ServeSession(w http.ResponseWriter, r *http.Request, uid string)
}

// dropinWeeks is how far ahead the page lists sessions.
const dropinWeeks = 8

type dropinPage struct {
	page
	// Theme is the theme chosen; zero for all.
	Theme booking.Topic
	// Themes are the themes with upcoming sessions (and the chosen one),
	// for the filter.
	Themes  []dropinThemeLink
	AllURL  string
	Days    []dropinDay
	Feed    feedLinks
	Widget  string // the <iframe> snippet
	Preview string // the widget's own address
	Zone    string
	Weeks   int
}

type dropinThemeLink struct {
	Name    string
	URL     string
	Count   int
	Current bool
}

// feedLinks are the ways to subscribe to one feed.
type feedLinks struct {
	HTTPS string
	// Webcal is built here from the base URL; html/template would refuse
	// the scheme of a plain string.
	Webcal template.URL
	Google string
}

type dropinDay struct {
	ID       string // for aria-labelledby
	Date     time.Time
	Sessions []dropinItem
}

type dropinItem struct {
	booking.DropInOccurrence
	Title       string
	Themes      []dropinThemeLink
	Description []string // paragraphs
	// Until is the last day of an all-day session of several days.
	Until       time.Time
	DownloadURL string
	SeriesURL   string // for an occurrence of a series: the whole series
}

// dropin lists the upcoming sessions of all themes or of ?theme=, by day,
// with the ways to subscribe and to embed the list.
func (s *Server) dropin(c *gin.Context) error {
	dp := s.cfg.DropIn
	if dp == nil {
		return errStatus(http.StatusNotFound)
	}
	ctx := c.Request.Context()
	topics, err := dp.Themes(ctx)
	if err != nil {
		return err
	}
	bySlug := make(map[string]booking.Topic, len(topics))
	for _, t := range topics {
		bySlug[t.Slug] = t
	}
	theme := c.Query("theme")
	chosen, ok := bySlug[theme]
	if theme != "" && !ok {
		return errStatus(http.StatusNotFound)
	}
	now := s.now()
	list, err := dp.Upcoming(ctx, now, now.AddDate(0, 0, 7*dropinWeeks))
	if err != nil {
		return err
	}

	self := &url.URL{Path: "/dropin"}
	if theme != "" {
		self.RawQuery = url.Values{"theme": {theme}}.Encode()
	}
	p := dropinPage{page: s.newPage(c, self), Theme: chosen, Zone: s.loc.String(), Weeks: dropinWeeks, AllURL: "/dropin"}
	themeURL := func(slug string) string { return "/dropin?" + url.Values{"theme": {slug}}.Encode() }

	counts := map[string]int{}
	for _, o := range list {
		for _, t := range o.Themes {
			counts[t]++
		}
	}
	for _, t := range topics {
		if counts[t.Slug] > 0 || t.Slug == theme {
			p.Themes = append(p.Themes, dropinThemeLink{Name: p.TopicName(t), URL: themeURL(t.Slug), Count: counts[t.Slug], Current: t.Slug == theme})
		}
	}
	for _, o := range list {
		if theme != "" && !hasString(o.Themes, theme) {
			continue
		}
		item := dropinItem{DropInOccurrence: o, Title: o.Summary}
		for _, slug := range o.Themes {
			if t, ok := bySlug[slug]; ok {
				item.Themes = append(item.Themes, dropinThemeLink{Name: p.TopicName(t), URL: themeURL(slug)})
			}
		}
		if item.Title == "" {
			var names []string
			for _, th := range item.Themes {
				names = append(names, th.Name)
			}
			item.Title = strings.Join(names, ", ")
		}
		if item.Title == "" {
			item.Title = p.T("dropin.untitled")
		}
		for _, para := range strings.Split(o.Description, "\n") {
			if para = strings.TrimSpace(para); para != "" {
				item.Description = append(item.Description, para)
			}
		}
		if o.AllDay {
			if last := o.End.In(s.loc).AddDate(0, 0, -1); last.After(o.Start.In(s.loc)) {
				item.Until = last
			}
		}
		if !o.Cancelled {
			item.DownloadURL, item.SeriesURL = sessionURLs(o, p.Lang)
		}
		local := o.Start.In(s.loc)
		id := "day-" + local.Format(time.DateOnly)
		if n := len(p.Days); n == 0 || p.Days[n-1].ID != id {
			p.Days = append(p.Days, dropinDay{ID: id, Date: local})
		}
		d := &p.Days[len(p.Days)-1]
		d.Sessions = append(d.Sessions, item)
	}

	base := s.baseURL(c)
	p.Feed = feedURLs(base, theme, p.Lang)
	q := url.Values{"lang": {p.Lang}}
	if theme != "" {
		q.Set("theme", theme)
	}
	p.Preview = "/dropin/widget?" + q.Encode()
	p.Widget = `<iframe src="` + base + p.Preview + `" title="` + template.HTMLEscapeString(p.T("dropin.widget.title")) +
		`" width="100%" height="420" loading="lazy"></iframe>`
	return s.render(c, http.StatusOK, "dropin", p)
}

func hasString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// sessionURLs are the download of one occurrence and, for a series, of
// the whole series.
func sessionURLs(o booking.DropInOccurrence, lang string) (download, series string) {
	path := "/dropin/session/" + url.PathEscape(o.UID) + ".ics"
	q := url.Values{}
	if lang == "en" {
		q.Set("lang", "en")
	}
	series = path
	if len(q) > 0 {
		series += "?" + q.Encode()
	}
	if o.RecurrenceID.IsZero() {
		return series, ""
	}
	q.Set("at", o.RecurrenceID.UTC().Format("20060102T150405Z"))
	return path + "?" + q.Encode(), series
}

// feedURLs are the addresses of a feed: https for copying, webcal for
// calendar apps, and Google Calendar's "add by URL" with the webcal one.
func feedURLs(base, theme, lang string) feedLinks {
	u := base + "/feeds/dropin.ics"
	if theme != "" {
		u = base + "/feeds/dropin/" + url.PathEscape(theme) + ".ics"
	}
	if lang == "en" {
		u += "?lang=en"
	}
	webcal := u
	for _, scheme := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(u, scheme); ok {
			webcal = "webcal://" + rest
		}
	}
	return feedLinks{HTTPS: u, Webcal: template.URL(webcal), Google: "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(webcal)}
}

// widgetCSS is the widget's whole style: the page is self-contained, so
// that it looks the same in any site's <iframe>. The CSP allows exactly
// this text by its hash.
const widgetCSS = `body{margin:0;padding:.75rem;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:1rem;line-height:1.4;color:#1b1b1b;background:#fff}
h1{font-size:1.125rem;margin:0 0 .5rem}
ul{list-style:none;margin:0;padding:0}
li{padding:.5rem 0;border-bottom:1px solid #6b6b6b}
a{color:#0a4f8f}
a:focus-visible{outline:3px solid #1b1b1b;background:#ffd400;color:#1b1b1b}
.when{display:block;font-weight:600}
.where,.themes{display:block;color:#4b4b4b}
.cancelled{font-weight:700;color:#a50e0e}
.all{display:inline-block;margin-top:.75rem}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}`

// widgetCSP lets any site frame the widget (it shows public sessions and
// has no forms, so framing it can trick no one into anything), and allows
// no script and no style but its own.
var widgetCSP = func() string {
	sum := sha256.Sum256([]byte(widgetCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; frame-ancestors *; base-uri 'none'; form-action 'none'"
}()

type widgetPage struct {
	page
	CSS      template.CSS
	Sessions []dropinItem
	AllURL   string
}

// dropinWidget is a small page of the next sessions for an <iframe> on
// the library's own pages: ?lang=, ?theme= and ?limit= (1 to 20).
func (s *Server) dropinWidget(c *gin.Context) error {
	dp := s.cfg.DropIn
	if dp == nil {
		return errStatus(http.StatusNotFound)
	}
	ctx := c.Request.Context()
	// The language comes from the address alone: the widget sets no
	// cookie and is the same for every visitor of the embedding page.
	p := widgetPage{page: page{Lang: "nb", Other: "en", loc: s.loc}, CSS: template.CSS(widgetCSS)}
	if c.Query("lang") == "en" {
		p.Lang, p.Other = "en", "nb"
	}
	limit := 5
	if n, err := strconv.Atoi(c.Query("limit")); err == nil && n >= 1 && n <= 20 {
		limit = n
	}
	topics, err := dp.Themes(ctx)
	if err != nil {
		return err
	}
	bySlug := make(map[string]booking.Topic, len(topics))
	for _, t := range topics {
		bySlug[t.Slug] = t
	}
	theme := c.Query("theme")
	if _, ok := bySlug[theme]; !ok {
		theme = ""
	}
	now := s.now()
	list, err := dp.Upcoming(ctx, now, now.AddDate(0, 0, 7*dropinWeeks))
	if err != nil {
		return err
	}
	q := url.Values{"lang": {p.Lang}}
	if theme != "" {
		q.Set("theme", theme)
	}
	p.AllURL = s.baseURL(c) + "/dropin?" + q.Encode()
	for _, o := range list {
		if len(p.Sessions) == limit {
			break
		}
		if theme != "" && !hasString(o.Themes, theme) {
			continue
		}
		item := dropinItem{DropInOccurrence: o, Title: o.Summary}
		for _, slug := range o.Themes {
			if t, ok := bySlug[slug]; ok {
				item.Themes = append(item.Themes, dropinThemeLink{Name: p.TopicName(t)})
			}
		}
		if item.Title == "" {
			item.Title = p.T("dropin.untitled")
		}
		if o.AllDay {
			if last := o.End.In(s.loc).AddDate(0, 0, -1); last.After(o.Start.In(s.loc)) {
				item.Until = last
			}
		}
		p.Sessions = append(p.Sessions, item)
	}

	var buf bytes.Buffer
	if err := s.pages["dropin_widget"].ExecuteTemplate(&buf, "widget", p); err != nil {
		return fmt.Errorf("web: render dropin_widget: %w", err)
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", widgetCSP)
	h.Del("X-Frame-Options")
	h.Set("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

// dropinFeed serves the feed of all themes.
func (s *Server) dropinFeed(c *gin.Context) {
	if s.cfg.DropIn == nil {
		c.String(http.StatusNotFound, "404 not found\n")
		return
	}
	s.cfg.DropIn.ServeFeed(c.Writer, c.Request, "")
}

// dropinThemeFeed serves /feeds/dropin/<theme>.ics.
func (s *Server) dropinThemeFeed(c *gin.Context) {
	theme, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if s.cfg.DropIn == nil || !ok || theme == "" {
		c.String(http.StatusNotFound, "404 not found\n")
		return
	}
	s.cfg.DropIn.ServeFeed(c.Writer, c.Request, theme)
}

// dropinSession serves /dropin/session/<uid>.ics; a UID may hold a
// slash, so the route takes the rest of the path.
func (s *Server) dropinSession(c *gin.Context) {
	uid, ok := strings.CutSuffix(strings.TrimPrefix(c.Param("file"), "/"), ".ics")
	if s.cfg.DropIn == nil || !ok || uid == "" {
		c.String(http.StatusNotFound, "404 not found\n")
		return
	}
	s.cfg.DropIn.ServeSession(c.Writer, c.Request, uid)
}
