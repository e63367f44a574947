package web

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"veileder/booking"
)

// The JSON API (see API.md). Its errors have one shape:
// {"error": {"code": "...", "message": "...", "field": "..."}}.

type apiErrorBody struct {
	Error apiError `json:"error"`
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// texts are a text in both languages.
type texts struct {
	NB string `json:"nb"`
	EN string `json:"en"`
}

type apiService struct {
	Slug        string `json:"slug"`
	Name        texts  `json:"name"`
	Description texts  `json:"description"`
}

type apiTopic struct {
	Slug        string `json:"slug"`
	Service     string `json:"service"`
	Name        texts  `json:"name"`
	Description texts  `json:"description"`
	General     bool   `json:"general"`
}

type apiSlot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Mode  string    `json:"mode"`
}

// apiBooking leaves the student's own details out: the client sent them,
// and a response is one more place they could leak from.
type apiBooking struct {
	Status        string    `json:"status"`
	CancelledBy   string    `json:"cancelled_by,omitempty"`
	Topic         string    `json:"topic"`
	TopicName     texts     `json:"topic_name"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Mode          string    `json:"mode"`
	Location      string    `json:"location,omitempty"`
	Language      string    `json:"language"`
	LibrarianName string    `json:"librarian_name"`
}

// apiRequest is the body of POST /api/bookings.
type apiRequest struct {
	Topic      string    `json:"topic"`
	Start      time.Time `json:"start"`
	Language   string    `json:"language"`
	Mode       string    `json:"mode"`
	Campus     string    `json:"campus"`
	Name       string    `json:"name"`
	Email      string    `json:"email"`
	Question   string    `json:"question"`
	Programme  string    `json:"programme"`
	StudyLevel string    `json:"study_level"`
	Locale     string    `json:"locale"`
	Consent    bool      `json:"consent"`
}

func (s *Server) apiTopics(c *gin.Context) {
	cat, err := s.booker.Catalog(c.Request.Context())
	if err != nil {
		s.apiFailErr(c, err, "")
		return
	}
	out := struct {
		Services []apiService `json:"services"`
		Topics   []apiTopic   `json:"topics"`
	}{Services: []apiService{}, Topics: []apiTopic{}}
	for _, sv := range cat.Services {
		out.Services = append(out.Services, apiService{
			Slug: sv.Slug, Name: texts{sv.NameNB, sv.NameEN}, Description: texts{sv.DescriptionNB, sv.DescriptionEN},
		})
	}
	for _, t := range cat.Topics {
		out.Topics = append(out.Topics, apiTopic{
			Slug: t.Slug, Service: t.ServiceSlug, Name: texts{t.NameNB, t.NameEN},
			Description: texts{t.DescriptionNB, t.DescriptionEN}, General: t.General,
		})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) apiSlots(c *gin.Context) {
	lang := s.lang(c)
	q := booking.SlotSearch{TopicSlug: c.Query("topic"), Language: c.Query("language"), Campus: c.Query("campus")}
	if q.TopicSlug == "" {
		s.apiFail(c, http.StatusBadRequest, "required", "topic", lang)
		return
	}
	if q.Language != "" && !isLang(q.Language) {
		s.apiFail(c, http.StatusBadRequest, "invalid", "language", lang)
		return
	}
	if utf8.RuneCountInString(q.Campus) > maxCampusLen {
		s.apiFail(c, http.StatusBadRequest, "too_long", "campus", lang)
		return
	}
	m, err := booking.ParseMode(c.Query("mode"))
	if err != nil {
		s.apiFail(c, http.StatusBadRequest, "invalid", "mode", lang)
		return
	}
	q.Mode = m
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := c.Query(p.name); v != "" {
			if *p.dst, err = time.Parse(time.RFC3339, v); err != nil {
				s.apiFail(c, http.StatusBadRequest, "invalid", p.name, lang)
				return
			}
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		s.apiFail(c, http.StatusBadRequest, "invalid", "to", lang)
		return
	}
	slots, err := s.booker.Slots(c.Request.Context(), q)
	if err != nil {
		s.apiFailErr(c, err, "")
		return
	}
	out := struct {
		Slots []apiSlot `json:"slots"`
	}{Slots: make([]apiSlot, 0, len(slots))}
	for _, sl := range slots {
		out.Slots = append(out.Slots, apiSlot{Start: sl.Start.UTC(), End: sl.End.UTC(), Mode: modeOf(sl.Online)})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) apiBook(c *gin.Context) {
	lang := s.lang(c)
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		s.apiFail(c, http.StatusUnsupportedMediaType, "unsupported_media_type", "", lang)
		return
	}
	if ok, wait := s.limiter.allow(c.ClientIP(), s.now()); !ok {
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.apiFail(c, http.StatusTooManyRequests, "rate_limited", "", lang)
		return
	}
	var body apiRequest
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.apiFail(c, http.StatusRequestEntityTooLarge, "too_large", "", lang)
			return
		}
		s.apiFail(c, http.StatusBadRequest, "bad_request", "", lang)
		return
	}
	mode, err := booking.ParseMode(body.Mode)
	if err != nil {
		s.apiFail(c, http.StatusUnprocessableEntity, "invalid", "mode", lang)
		return
	}
	locale := body.Locale
	if locale == "" {
		locale = lang
	} else if !isLang(locale) {
		s.apiFail(c, http.StatusUnprocessableEntity, "invalid", "locale", lang)
		return
	}
	req := booking.Request{
		TopicSlug: body.Topic, Start: body.Start, Language: body.Language, Mode: mode, Campus: body.Campus,
		StudentName: body.Name, StudentEmail: body.Email, Question: body.Question,
		Programme: body.Programme, StudyLevel: body.StudyLevel, Locale: locale, Consent: body.Consent,
	}
	// The domain's own check answers 422 before the service is asked.
	if err := req.Validate(); err != nil {
		s.apiFailErr(c, err, "")
		return
	}
	v, token, err := s.booker.Book(c.Request.Context(), req)
	if err != nil {
		s.apiFailErr(c, err, token)
		return
	}
	c.Header("Location", "/api/bookings/"+url.PathEscape(token))
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, struct {
		Booking     apiBooking `json:"booking"`
		ManageToken string     `json:"manage_token"`
		ManageURL   string     `json:"manage_url"`
	}{toAPIBooking(v), token, s.baseURL(c) + "/booking/" + url.PathEscape(token)})
}

func (s *Server) apiBooking(c *gin.Context) {
	token := c.Param("token")
	if !validToken(token) {
		s.apiFail(c, http.StatusNotFound, "not_found", "", s.lang(c))
		return
	}
	v, err := s.booker.Booking(c.Request.Context(), token)
	if err != nil {
		s.apiFailErr(c, err, token)
		return
	}
	c.JSON(http.StatusOK, gin.H{"booking": toAPIBooking(v)})
}

func (s *Server) apiCancel(c *gin.Context) {
	token := c.Param("token")
	if !validToken(token) {
		s.apiFail(c, http.StatusNotFound, "not_found", "", s.lang(c))
		return
	}
	v, err := s.booker.Cancel(c.Request.Context(), token)
	if err != nil {
		s.apiFailErr(c, err, token)
		return
	}
	c.JSON(http.StatusOK, gin.H{"booking": toAPIBooking(v)})
}

// apiFailErr maps an error from the Booker to a status: the one place
// where the API maps domain errors.
func (s *Server) apiFailErr(c *gin.Context, err error, token string) {
	lang := s.lang(c)
	var fe *booking.FieldError
	switch {
	case errors.As(err, &fe):
		c.JSON(http.StatusUnprocessableEntity, apiErrorBody{apiError{Code: fe.Code, Field: fe.Field, Message: fieldMessage(lang, fe.Field, fe.Code)}})
	case errors.Is(err, booking.ErrNotFound):
		s.apiFail(c, http.StatusNotFound, "not_found", "", lang)
	case errors.Is(err, booking.ErrSlotTaken):
		s.apiFail(c, http.StatusConflict, "slot_taken", "", lang)
	case errors.Is(err, booking.ErrLimitReached):
		s.apiFail(c, http.StatusConflict, "limit_reached", "", lang)
	case errors.Is(err, booking.ErrConflict):
		s.apiFail(c, http.StatusConflict, "conflict", "", lang)
	case errors.Is(err, booking.ErrInvalid):
		s.apiFail(c, http.StatusUnprocessableEntity, "invalid", "", lang)
	default:
		s.logger.Error("api request failed", "path", redactPath(c.Request.URL.Path), "err", scrub(err, token))
		s.apiFail(c, http.StatusInternalServerError, "internal", "", lang)
	}
}

// apiFail answers with an error of the given code; with a field, the
// message is the field's.
func (s *Server) apiFail(c *gin.Context, status int, code, field, lang string) {
	msg := T(lang, "api."+code)
	if field != "" {
		msg = fieldMessage(lang, field, code)
	}
	c.AbortWithStatusJSON(status, apiErrorBody{apiError{Code: code, Message: msg, Field: field}})
}

func toAPIBooking(v booking.View) apiBooking {
	return apiBooking{
		Status: string(v.Status), CancelledBy: string(v.CancelledBy),
		Topic: v.Topic.Slug, TopicName: texts{v.Topic.NameNB, v.Topic.NameEN},
		Start: v.Start.UTC(), End: v.End.UTC(), Mode: modeOf(v.Online), Location: v.Location,
		Language: v.Language, LibrarianName: v.LibrarianName,
	}
}

func modeOf(online bool) string {
	if online {
		return string(booking.ModeOnline)
	}
	return string(booking.ModeInPerson)
}
