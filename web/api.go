package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
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
	// Questions are the library's questions a booking of the topic
	// answers ("answers" of POST /api/bookings); empty means the default
	// ones, programme and study_level.
	Questions []apiQuestion `json:"questions"`
}

// apiQuestion is an intake question. A choice is answered with an
// option's value (its number) or its text; yes/no with true or false.
type apiQuestion struct {
	ID       int64       `json:"id"`
	Kind     string      `json:"kind"`
	Required bool        `json:"required"`
	Label    texts       `json:"label"`
	MaxLen   int         `json:"max_length,omitempty"`
	Options  []apiOption `json:"options,omitempty"`
}

type apiOption struct {
	Value string `json:"value"`
	Label texts  `json:"label"`
}

func toAPIQuestions(qs []booking.Question) []apiQuestion {
	out := make([]apiQuestion, 0, len(qs))
	for _, q := range qs {
		aq := apiQuestion{ID: q.ID, Kind: string(q.Kind), Required: q.Required, Label: texts{q.LabelNB, q.LabelEN}}
		switch q.Kind {
		case booking.QuestionText:
			aq.MaxLen = booking.MaxShortAnswerLen
		case booking.QuestionLongText:
			aq.MaxLen = booking.MaxLongAnswerLen
		}
		for i, o := range q.Options {
			aq.Options = append(aq.Options, apiOption{Value: strconv.Itoa(i + 1), Label: texts{o.NB, o.EN}})
		}
		out = append(out, aq)
	}
	return out
}

// apiAnswers reads the "answers" object of POST /api/bookings: question
// IDs to strings, numbers or booleans.
func apiAnswers(raw map[string]any) (map[int64]string, error) {
	out := make(map[int64]string, len(raw))
	for k, v := range raw {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil || id <= 0 {
			return nil, errAPI(http.StatusUnprocessableEntity, "invalid", "answers")
		}
		switch v := v.(type) {
		case string:
			out[id] = v
		case bool:
			out[id] = map[bool]string{true: "yes", false: "no"}[v]
		case float64:
			out[id] = strconv.FormatFloat(v, 'f', -1, 64)
		case nil:
		default:
			return nil, errAPI(http.StatusUnprocessableEntity, "invalid", "q"+k)
		}
	}
	return out, nil
}

type apiSlot struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Mode  string    `json:"mode"`
	// Librarian is who a booking would get now (match.go), when known.
	Librarian *apiMatch `json:"librarian,omitempty"`
}

// apiMatch is the librarian a slot would give the student.
type apiMatch struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Place     string   `json:"place,omitempty"`
	Languages []string `json:"languages"`
	Level     string   `json:"level,omitempty"`
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
	// LibrarianID asks for one librarian; 0 is no preference.
	LibrarianID int64 `json:"librarian_id"`
	// Answers answer the topic's questions (GET /api/topics), by ID.
	Answers map[string]any `json:"answers"`
}

func (s *Server) apiTopics(c *gin.Context) error {
	cat, err := s.booker.Catalog(c.Request.Context())
	if err != nil {
		return err
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
			Questions: toAPIQuestions(cat.QuestionsFor(t)),
		})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiSlots(c *gin.Context) error {
	q := booking.SlotSearch{TopicSlug: c.Query("topic"), Language: c.Query("language"), Campus: c.Query("campus")}
	if q.TopicSlug == "" {
		return errAPI(http.StatusBadRequest, "required", "topic")
	}
	if q.Language != "" && !isLang(q.Language) {
		return errAPI(http.StatusBadRequest, "invalid", "language")
	}
	if utf8.RuneCountInString(q.Campus) > maxCampusLen {
		return errAPI(http.StatusBadRequest, "too_long", "campus")
	}
	m, err := booking.ParseMode(c.Query("mode"))
	if err != nil {
		return errAPI(http.StatusBadRequest, "invalid", "mode")
	}
	q.Mode = m
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := c.Query(p.name); v != "" {
			if *p.dst, err = time.Parse(time.RFC3339, v); err != nil {
				return errAPI(http.StatusBadRequest, "invalid", p.name)
			}
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return errAPI(http.StatusBadRequest, "invalid", "to")
	}
	// A search of the whole horizon that finds nothing is unmet demand; a
	// client paging through weeks with from and to is not asking that.
	q.RecordUnmet = q.From.IsZero() && q.To.IsZero()
	slots, err := s.booker.Slots(c.Request.Context(), q)
	if err != nil {
		return err
	}
	out := struct {
		Slots []apiSlot `json:"slots"`
	}{Slots: make([]apiSlot, 0, len(slots))}
	librarian := librarianParam(c.Query("librarian"))
	for _, sl := range slots {
		m, ok := slotMatch(sl, librarian)
		if !ok {
			continue // not with the librarian asked for
		}
		a := apiSlot{Start: sl.Start.UTC(), End: sl.End.UTC(), Mode: modeOf(sl.Online)}
		if m.Name != "" {
			a.Librarian = &apiMatch{ID: m.LibrarianID, Name: m.Name, Place: m.DisplayPlace(), Languages: m.Languages, Level: string(m.Level)}
		}
		out.Slots = append(out.Slots, a)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiBook(c *gin.Context) error {
	lang := s.lang(c)
	if err := requireJSON(c); err != nil {
		return err
	}
	if wait := s.limiter.wait(c.ClientIP(), s.now()); wait > 0 {
		retryAfter(c, wait)
		return errAPI(http.StatusTooManyRequests, "rate_limited", "")
	}
	var body apiRequest
	if err := decodeJSON(c.Request.Body, &body); err != nil {
		return err
	}
	mode, err := booking.ParseMode(body.Mode)
	if err != nil {
		return errAPI(http.StatusUnprocessableEntity, "invalid", "mode")
	}
	locale, err := bodyLocale(lang, body.Locale)
	if err != nil {
		return err
	}
	answers, err := apiAnswers(body.Answers)
	if err != nil {
		return err
	}
	req := booking.Request{
		Answers:   answers,
		TopicSlug: body.Topic, Start: body.Start, Language: body.Language, Mode: mode, Campus: body.Campus,
		StudentName: body.Name, StudentEmail: body.Email, Question: body.Question,
		Programme: body.Programme, StudyLevel: body.StudyLevel, Locale: locale, Consent: body.Consent,
		LibrarianID: body.LibrarianID,
	}
	// The domain's own check answers 422 before the service is asked, and
	// before the attempt counts.
	if err := req.Validate(); err != nil {
		return err
	}
	// The API has no sign-in: a service that needs one is booked on the
	// form only.
	if need, err := s.needsSignIn(c, req.TopicSlug); err != nil {
		return err
	} else if need {
		return errAPI(http.StatusForbidden, "signin_required", "")
	}
	if limit, wait := s.attempt(c, req.StudentEmail); limit != "" {
		retryAfter(c, wait)
		field := ""
		if limit == "email" {
			field = "email"
		}
		return errAPI(http.StatusTooManyRequests, "rate_limited", field)
	}
	v, token, err := s.booker.Book(c.Request.Context(), req)
	if err != nil {
		return withToken(err, token)
	}
	c.Header("Location", "/api/bookings/"+url.PathEscape(token))
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, struct {
		Booking     apiBooking `json:"booking"`
		ManageToken string     `json:"manage_token"`
		ManageURL   string     `json:"manage_url"`
	}{toAPIBooking(v), token, s.baseURL(c) + "/booking/" + url.PathEscape(token)})
	return nil
}

func (s *Server) apiBooking(c *gin.Context) error {
	token := c.Param("token")
	if !validToken(token) {
		return errAPI(http.StatusNotFound, "not_found", "")
	}
	v, err := s.booker.Booking(c.Request.Context(), token)
	if err != nil {
		return withToken(err, token)
	}
	c.JSON(http.StatusOK, gin.H{"booking": toAPIBooking(v)})
	return nil
}

func (s *Server) apiCancel(c *gin.Context) error {
	token := c.Param("token")
	if !validToken(token) {
		return errAPI(http.StatusNotFound, "not_found", "")
	}
	v, err := s.booker.Cancel(c.Request.Context(), token)
	if err != nil {
		return withToken(err, token)
	}
	c.JSON(http.StatusOK, gin.H{"booking": toAPIBooking(v)})
	return nil
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

// decodeJSON reads one JSON object into v, strictly: unknown fields and
// anything after the object are refused (400 bad_request), and so is a
// string that is not valid UTF-8 (422 invalid, naming its field), which
// encoding/json would otherwise silently turn into U+FFFD — storing a
// name the student did not write.
// requireJSON refuses a request body that is not JSON, as every JSON
// route of the API does, before reading it.
func requireJSON(c *gin.Context) error {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		return errAPI(http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	}
	return nil
}

// bodyLocale is the language a JSON body asks for its e-mails, or the
// request's own when it names none.
func bodyLocale(lang, locale string) (string, error) {
	switch {
	case locale == "":
		return lang, nil
	case !isLang(locale):
		return "", errAPI(http.StatusUnprocessableEntity, "invalid", "locale")
	}
	return locale, nil
}

func decodeJSON(r io.Reader, v any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errAPI(http.StatusRequestEntityTooLarge, "too_large", "")
		}
		return errAPI(http.StatusBadRequest, "bad_request", "")
	}
	if !utf8.Valid(data) {
		var fields map[string]json.RawMessage
		if json.Unmarshal(data, &fields) != nil {
			return errAPI(http.StatusBadRequest, "bad_request", "")
		}
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			if !utf8.Valid(fields[name]) {
				return errAPI(http.StatusUnprocessableEntity, "invalid", name)
			}
		}
		return errAPI(http.StatusBadRequest, "bad_request", "")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errAPI(http.StatusBadRequest, "bad_request", "")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errAPI(http.StatusBadRequest, "bad_request", "")
	}
	return nil
}
