package feeds

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
)

// ServeFeed answers GET, HEAD and OPTIONS for a feed (theme "" for all
// themes), in the language of ?lang= ("en", else Norwegian; a feed's
// address must name its content, so no cookie or Accept-Language is
// read). It is a conditional GET (RFC 9110 §13): the ETag comes from the
// database's version of the feed, so a 304 needs no rendering. The body is
// gzipped for clients that accept it, and any origin may fetch it (CORS),
// so that the library's own pages can show sessions from it.
func (s *Service) ServeFeed(w http.ResponseWriter, r *http.Request, theme string) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		// The preflight of a fetch that sends If-None-Match itself.
		h.Set("Access-Control-Allow-Methods", "GET, HEAD")
		h.Set("Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since")
		h.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		h.Set("Allow", "GET, HEAD, OPTIONS")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	lang := normLang(r.URL.Query().Get("lang"))
	st, err := s.state(ctx)
	if err != nil {
		s.log.Error("feeds: feed state", "theme", theme, "err", err)
		http.Error(w, "the feed is not available now; try again later", http.StatusInternalServerError)
		return
	}
	if _, ok := st.ix.bySlug[theme]; theme != "" && !ok {
		http.Error(w, "no such theme", http.StatusNotFound)
		return
	}
	etag := s.etag(st.key(theme, lang))
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", "public, max-age=300")
	tag := `"` + etag + `"`
	if gz {
		tag = `"` + etag + `-gz"`
	}
	h.Set("ETag", tag)
	modified := st.version.Modified
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	doc, err := s.feed(ctx, st, theme, lang)
	if err != nil {
		s.log.Error("feeds: render feed", "theme", theme, "lang", lang, "err", err)
		http.Error(w, "the feed is not available now; try again later", http.StatusInternalServerError)
		return
	}
	body := doc.Body
	if gz {
		body = doc.Gzip
		h.Set("Content-Encoding", "gzip")
	}
	name := "dropin.ics"
	if theme != "" {
		name = "dropin-" + theme + ".ics"
	}
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

// notModified evaluates If-None-Match, or without it If-Modified-Since
// (RFC 9110 §13.2.2). If-None-Match compares weakly (§13.1.2), so the
// plain and the gzipped representation's tags both match.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for part := range strings.SplitSeq(inm, ",") {
			part = strings.TrimSpace(part)
			if part == "*" {
				return true
			}
			part = strings.Trim(strings.TrimPrefix(part, "W/"), `"`)
			if part == etag || part == etag+"-gz" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.Truncate(time.Second).After(t)
	}
	return false
}

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip, x-gzip or
// "*", unless given q=0.
func acceptsGzip(h string) bool {
	gzipQ, anyQ := -1.0, -1.0
	for part := range strings.SplitSeq(h, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, found := strings.CutPrefix(strings.TrimSpace(params), "q="); found {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				continue
			}
			q = f
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzipQ = max(gzipQ, q)
		case "*":
			anyQ = q
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return anyQ > 0
}

// ServeSession answers GET for one session as a calendar file to import:
// the whole series, or with ?at= (the occurrence's start in UTC,
// 20261020T080000Z) that one occurrence.
func (s *Service) ServeSession(w http.ResponseWriter, r *http.Request, uid string) {
	var at time.Time
	if v := r.URL.Query().Get("at"); v != "" {
		t, err := time.Parse(utcFormat, v)
		if err != nil {
			http.Error(w, "at must be a UTC time such as 20261020T080000Z", http.StatusBadRequest)
			return
		}
		at = t
	}
	body, name, err := s.SessionICS(r.Context(), uid, at, normLang(r.URL.Query().Get("lang")))
	switch {
	case errors.Is(err, booking.ErrNotFound):
		http.Error(w, "no such session", http.StatusNotFound)
		return
	case err != nil:
		s.log.Error("feeds: session file", "uid", uid, "err", err)
		http.Error(w, "the session is not available now; try again later", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
