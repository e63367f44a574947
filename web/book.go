package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// honeypotField is a text field that people never see; bots fill it in.
const honeypotField = "website"

type bookPage struct {
	page
	Topic  booking.Topic
	Form   bookForm
	Levels []string
	// Languages are the meeting languages the slot is offered in.
	Languages []string
	Action    string
	BackURL   string
	Limits    fieldLimits
	Honeypot  string
	// Match is who the student would meet at the time, and where
	// (match.go); Why explains it in one line.
	Match     match
	HasMatch  bool
	MatchLang string
	Why       string
	// Alternatives, when set, are the free times nearest the one the
	// student asked for, which is gone (taken meanwhile, passed, or never
	// a slot): the form keeps what they typed and asks them to pick one.
	Alternatives []slotLink
	// Questions are the library's own questions for the topic; none
	// means the default ones (study level and programme).
	Questions []booking.Question
	// SignIn offers sign-in with the provider, when it is configured
	// (signin.go); a signed-in student's name and address are read-only.
	SignIn *bookSignIn
}

// bookSignIn is the booking form's sign-in box.
type bookSignIn struct {
	Provider string
	URL      string
	Signed   bool
	// Required says the service takes bookings from signed-in students
	// only.
	Required bool
}

// QuestionLabel is q in the page's language.
func (p page) QuestionLabel(q booking.Question) string { return q.Label(p.Lang) }

// OptionText is a choice's option in the page's language.
func (p page) OptionText(o booking.Option) string { return o.Text(p.Lang) }

// Answer is what the student gave for q.
func (p bookPage) Answer(q booking.Question) string { return p.Form.Answers[q.ID] }

// OptionValue is the form value of a choice's i-th option (0-based): its
// number, which booking.Answers reads.
func (p page) OptionValue(i int) string { return strconv.Itoa(i + 1) }

// AnswerLimit is how long an answer to q may be.
func (p page) AnswerLimit(q booking.Question) int {
	if q.Kind == booking.QuestionLongText {
		return booking.MaxLongAnswerLen
	}
	return booking.MaxShortAnswerLen
}

// maxAlternatives is how many nearby free times a form whose time is gone
// offers instead.
const maxAlternatives = 6

type fieldLimits struct{ Name, Email, Question, Programme int }

var limits = fieldLimits{booking.MaxNameLen, booking.MaxEmailLen, booking.MaxQuestionLen, booking.MaxProgrammeLen}

// bookForm is what the student typed, kept when the form comes back.
type bookForm struct {
	Start, End time.Time
	Mode       booking.Mode
	Search     filters // the slot list's filters, for the way back

	Name, Email, Question, Programme, Level, Language string
	Consent                                           bool
	// Answers are the answers to the intake questions, by question ID.
	Answers map[int64]string
}

// bookForm shows the form for the slot in ?start= and ?mode=.
func (s *Server) bookForm(c *gin.Context) error {
	t, err := s.bookTopic(c)
	if err != nil {
		return err
	}
	f := filtersFrom(c)
	start, err := time.Parse(time.RFC3339, c.Query("start"))
	if err != nil || f.Mode == booking.ModeAny {
		c.Redirect(http.StatusSeeOther, f.topicURL(t.Slug, nil))
		return nil
	}
	form := bookForm{Start: start, Mode: f.Mode, Search: f, Language: f.Language}
	if form.Language == "" {
		form.Language = s.lang(c)
	}
	return s.renderBook(c, http.StatusOK, t, form, nil)
}

// book takes the form: CSRF is checked by then; next come the rate limit,
// the honeypot and the fields, and only then the booking itself.
func (s *Server) book(c *gin.Context) error {
	t, err := s.bookTopic(c)
	if err != nil {
		return err
	}
	form, ok := readBookForm(c)
	if !ok {
		c.Redirect(http.StatusSeeOther, form.Search.topicURL(t.Slug, nil))
		return nil
	}
	lang := s.lang(c)
	// A signed-in student's name and address are the provider's, whatever
	// the form says; a service that needs sign-in takes no other booking.
	student, signed := s.studentSession(c)
	if signed {
		form.Name, form.Email = student.Name, student.Email
	} else if need, err := s.needsSignIn(c, t.Slug); err != nil {
		return err
	} else if need {
		return s.renderBook(c, http.StatusForbidden, t, form, []formError{{Message: T(lang, "book.signin.required", s.cfg.SignIn.Client.Name())}})
	}
	// An address over its limit is refused before anything else; below
	// it, only attempts that pass the form's own checks count, so that
	// typos never lock a campus out.
	if wait := s.limiter.wait(c.ClientIP(), s.now()); wait > 0 {
		retryAfter(c, wait)
		return s.renderBook(c, http.StatusTooManyRequests, t, form, []formError{{Message: T(lang, "book.rate", minutes(wait))}})
	}
	if c.PostForm(honeypotField) != "" {
		s.logger.Info("honeypot filled, booking refused", "path", c.Request.URL.Path)
		return s.renderBook(c, http.StatusBadRequest, t, form, []formError{{Message: T(lang, "book.refused")}})
	}
	if errs := form.validate(lang, t, s.questions(c, t)); len(errs) > 0 {
		return s.renderBook(c, http.StatusUnprocessableEntity, t, form, errs)
	}
	// A signed-in student is limited per identity: the same person with
	// several addresses is still one person.
	limitKey := form.Email
	if signed {
		limitKey = "identity " + student.Identity
	}
	switch limit, wait := s.attempt(c, limitKey); limit {
	case "address":
		retryAfter(c, wait)
		return s.renderBook(c, http.StatusTooManyRequests, t, form, []formError{{Message: T(lang, "book.rate", minutes(wait))}})
	case "email":
		retryAfter(c, wait)
		return s.renderBook(c, http.StatusTooManyRequests, t, form, []formError{{Field: "email", Message: T(lang, "book.rate.email", minutes(wait))}})
	}

	_, token, err := s.booker.Book(c.Request.Context(), booking.Request{
		TopicSlug: t.Slug, Start: form.Start, Language: form.Language, Mode: form.Mode, Campus: form.Search.Campus,
		StudentName: form.Name, StudentEmail: form.Email, Question: form.Question,
		Programme: form.Programme, StudyLevel: form.Level, Locale: lang, Consent: form.Consent,
		LibrarianID: form.Search.Librarian, Answers: form.Answers, StudentIdentity: student.Identity,
	})
	// Refusals that the form can explain show it again; the rest are
	// the error page's.
	var fe *booking.FieldError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/booking/"+url.PathEscape(token)+"?new=1")
		return nil
	case errors.Is(err, booking.ErrSlotTaken):
		// Someone was quicker: the same form, with the nearest free times.
		return s.renderBook(c, http.StatusConflict, t, form, []formError{{Field: "start", Message: T(lang, "topic.taken")}})
	case errors.Is(err, booking.ErrLimitReached):
		return s.renderBook(c, http.StatusConflict, t, form, []formError{{Message: T(lang, "book.limit")}})
	case errors.As(err, &fe):
		return s.renderBook(c, http.StatusUnprocessableEntity, t, form, []formError{s.fieldError(c, t, fe)})
	}
	return withToken(err, token)
}

// questions are the intake questions the form for t asks; the catalog was
// read moments ago by bookTopic, and a failure here shows the defaults
// (the service checks the answers against the stored questions anyway).
func (s *Server) questions(c *gin.Context, t booking.Topic) []booking.Question {
	cat, err := s.booker.Catalog(c.Request.Context())
	if err != nil {
		return nil
	}
	return cat.QuestionsFor(t)
}

// fieldError is a domain FieldError as the form shows it: an intake
// question's names its question.
func (s *Server) fieldError(c *gin.Context, t booking.Topic, fe *booking.FieldError) formError {
	lang := s.lang(c)
	for _, q := range s.questions(c, t) {
		if q.Field() == fe.Field {
			return answerError(lang, q, fe.Code)
		}
	}
	return formError{Field: fieldID(fe.Field), Message: fieldMessage(lang, fe.Field, fe.Code)}
}

// answerError is the message for a wrong answer to q, tied to its control.
func answerError(lang string, q booking.Question, code string) formError {
	label := q.Label(lang)
	switch code {
	case "required":
		if q.Kind == booking.QuestionChoice || q.Kind == booking.QuestionYesNo {
			return formError{Field: answerControl(q), Message: T(lang, "intake.error.choose", label)}
		}
		return formError{Field: answerControl(q), Message: T(lang, "intake.error.required", label)}
	case "too_long":
		limit := booking.MaxShortAnswerLen
		if q.Kind == booking.QuestionLongText {
			limit = booking.MaxLongAnswerLen
		}
		return formError{Field: answerControl(q), Message: T(lang, "intake.error.too_long", label, limit)}
	}
	if q.Kind == booking.QuestionChoice || q.Kind == booking.QuestionYesNo {
		return formError{Field: answerControl(q), Message: T(lang, "intake.error.choose", label)}
	}
	return formError{Field: answerControl(q), Message: T(lang, "intake.error.invalid", label)}
}

// answerControl is the id of q's control: a yes/no question's first radio
// button, which the error summary links to.
func answerControl(q booking.Question) string {
	if q.Kind == booking.QuestionYesNo {
		return q.Field() + "-yes"
	}
	return q.Field()
}

// readAnswers reads the intake answers of a posted form: every field
// "q<ID>".
func readAnswers(c *gin.Context) map[int64]string {
	if err := c.Request.ParseForm(); err != nil {
		return nil
	}
	out := map[int64]string{}
	for k, v := range c.Request.PostForm {
		id, ok := strings.CutPrefix(k, "q")
		if !ok || len(v) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 {
			out[n] = v[0]
		}
	}
	return out
}

// checkAnswers checks every answer, so that the student sees all
// problems at once.
func checkAnswers(lang string, qs []booking.Question, answers map[int64]string) []formError {
	var errs []formError
	var fe *booking.FieldError
	for _, q := range qs {
		if _, err := booking.Answers([]booking.Question{q}, answers); errors.As(err, &fe) {
			errs = append(errs, answerError(lang, q, fe.Code))
		}
	}
	return errs
}

// needsSignIn says whether the topic's service takes bookings only from
// students signed in with the provider; never when none is configured.
func (s *Server) needsSignIn(c *gin.Context, topicSlug string) (bool, error) {
	if !s.signInEnabled() {
		return false, nil
	}
	cat, err := s.booker.Catalog(c.Request.Context())
	if err != nil {
		return false, err
	}
	t, ok := findTopic(cat, topicSlug)
	if !ok {
		return false, nil
	}
	for _, svc := range cat.Services {
		if svc.Slug == t.ServiceSlug {
			return svc.RequireSignIn, nil
		}
	}
	return false, nil
}

// bookTopic finds the path's topic; an unknown one is a 404.
func (s *Server) bookTopic(c *gin.Context) (booking.Topic, error) {
	cat, err := s.booker.Catalog(c.Request.Context())
	if err != nil {
		return booking.Topic{}, err
	}
	t, ok := findTopic(cat, c.Param("slug"))
	if !ok {
		return booking.Topic{}, errStatus(http.StatusNotFound)
	}
	return t, nil
}

// readBookForm reads the posted form; false means the slot itself is
// missing or malformed, which no field of the form can fix.
func readBookForm(c *gin.Context) (bookForm, bool) {
	f := bookForm{
		Name:      c.PostForm("name"),
		Email:     strings.TrimSpace(c.PostForm("email")),
		Question:  c.PostForm("question"),
		Programme: c.PostForm("programme"),
		Level:     c.PostForm("level"),
		Language:  c.PostForm("language"),
		Consent:   c.PostForm("consent") == "yes",
		Answers:   readAnswers(c),
	}
	if l := c.PostForm("search_language"); isLang(l) {
		f.Search.Language = l
	}
	if campus := strings.TrimSpace(c.PostForm("campus")); utf8.RuneCountInString(campus) <= maxCampusLen {
		f.Search.Campus = campus
	}
	f.Search.Librarian = librarianParam(c.PostForm("librarian"))
	m, err := booking.ParseMode(c.PostForm("mode"))
	start, err2 := time.Parse(time.RFC3339, c.PostForm("start"))
	if err != nil || err2 != nil || m == booking.ModeAny {
		return f, false
	}
	f.Start, f.Mode, f.Search.Mode = start, m, m
	return f, true
}

// validate checks every field, so that the student sees all problems at
// once; the service checks again and has the last word. The general
// topic ("help me choose") needs the question: it is how the librarian
// knows what the meeting is about.
func (f *bookForm) validate(lang string, t booking.Topic, qs []booking.Question) []formError {
	var errs []formError
	add := func(field, code string) {
		errs = append(errs, formError{Field: fieldID(field), Message: fieldMessage(lang, field, code)})
	}
	name, email := strings.TrimSpace(f.Name), strings.TrimSpace(f.Email)
	switch {
	case name == "":
		add("name", "required")
	case utf8.RuneCountInString(name) > booking.MaxNameLen:
		add("name", "too_long")
	}
	switch {
	case email == "":
		add("email", "required")
	case len(email) > booking.MaxEmailLen || !validEmail(email):
		add("email", "invalid")
	}
	switch question := strings.TrimSpace(f.Question); {
	case question == "" && t.General:
		add("question", "required")
	case utf8.RuneCountInString(question) > booking.MaxQuestionLen:
		add("question", "too_long")
	}
	if f.Level != "" && !slices.Contains(booking.StudyLevels, f.Level) {
		add("level", "invalid")
	}
	if utf8.RuneCountInString(strings.TrimSpace(f.Programme)) > booking.MaxProgrammeLen {
		add("programme", "too_long")
	}
	errs = append(errs, checkAnswers(lang, qs, f.Answers)...)
	if !isLang(f.Language) {
		add("language", "required")
	}
	if !f.Consent {
		add("consent", "required")
	}
	return errs
}

// validEmail asks the domain's own rule, on a request that is otherwise
// valid, so that the form and the service never disagree.
func validEmail(email string) bool {
	probe := booking.Request{TopicSlug: "x", Start: time.Unix(1, 0), StudentName: "x", StudentEmail: email, Consent: true}
	return probe.Validate() == nil
}

// fieldID is the id of the control for a booking.FieldError's field; ""
// for fields the form has no control for (the slot, the topic).
func fieldID(field string) string {
	switch field {
	case "name", "email", "question", "programme", "consent", "language":
		return field
	case "level", "study_level":
		return "level"
	case "start":
		// The choice of another time, on a form whose time is gone.
		return "start"
	}
	return ""
}

// renderBook shows the form for the slot, after checking with the service
// that it is still free, and in which languages. A slot that is gone
// sends the student back to the list.
func (s *Server) renderBook(c *gin.Context, status int, t booking.Topic, form bookForm, errs []formError) error {
	langs, end, m, err := s.slotLanguages(c, t, form)
	if err != nil {
		return err
	}
	var alts []slotLink
	if len(langs) == 0 {
		// The time is gone: offer the nearest free ones in the same form,
		// so that nothing the student typed is lost. Nothing free at all
		// is the slot list's "no free times".
		if alts, err = s.alternatives(c, t, form); err != nil {
			return err
		}
		if len(alts) == 0 {
			return s.renderTopic(c, http.StatusConflict, t, form.Search, weekStart(form.Start, s.loc), true, true)
		}
		if status < http.StatusBadRequest {
			status = http.StatusConflict
		}
		if len(errs) == 0 {
			errs = []formError{{Field: "start", Message: T(s.lang(c), "topic.taken")}}
		}
		langs = []string{"nb", "en"}
		if form.Language != "" {
			langs = []string{form.Language}
		}
	}
	form.End = end
	if !slices.Contains(langs, form.Language) && len(langs) == 1 {
		form.Language = langs[0]
	}
	q := form.Search.values(url.Values{"start": {form.Start.UTC().Format(time.RFC3339)}})
	self := &url.URL{Path: "/book/" + t.Slug, RawQuery: q.Encode()}
	p := bookPage{
		page: s.newPage(c, self), Topic: t, Form: form, Levels: booking.StudyLevels, Languages: langs,
		Action: "/book/" + t.Slug, Limits: limits, Honeypot: honeypotField,
	}
	p.CSRF = s.csrfToken(c)
	p.Errors = errs
	p.Questions = s.questions(c, t)
	p.BackURL = s.backURL(t, form)
	if s.signInEnabled() {
		box := &bookSignIn{Provider: s.cfg.SignIn.Client.Name(), URL: studentSignInURL(self.String())}
		if st, ok := s.studentSession(c); ok {
			box.Signed = true
			p.Form.Name, p.Form.Email = st.Name, st.Email
		}
		need, err := s.needsSignIn(c, t.Slug)
		if err != nil {
			return err
		}
		box.Required = need
		p.SignIn = box
	}
	p.Alternatives = alts
	if m.Name != "" && len(alts) == 0 {
		p.Match, p.HasMatch = m, true
		p.MatchLang = m.languageNames(p.Lang)
		p.Why = m.why(p.Lang, t)
	}
	return s.render(c, status, "book", p)
}

// alternatives are the free times nearest form's, with its mode, filters
// and (when chosen) meeting language, in time order.
func (s *Server) alternatives(c *gin.Context, t booking.Topic, form bookForm) ([]slotLink, error) {
	slots, err := s.booker.Slots(c.Request.Context(), booking.SlotSearch{
		TopicSlug: t.Slug, Language: form.Language, Mode: form.Mode, Campus: form.Search.Campus,
	})
	if err != nil {
		return nil, err
	}
	dist := func(sl booking.Slot) time.Duration {
		d := sl.Start.Sub(form.Start)
		return max(d, -d)
	}
	slices.SortStableFunc(slots, func(a, b booking.Slot) int { return cmp.Compare(dist(a), dist(b)) })
	slots = slots[:min(len(slots), maxAlternatives)]
	slices.SortFunc(slots, func(a, b booking.Slot) int { return a.Start.Compare(b.Start) })
	out := make([]slotLink, 0, len(slots))
	for _, sl := range slots {
		out = append(out, slotLink{Start: sl.Start, End: sl.End, Online: sl.Online})
	}
	return out, nil
}

// backURL is the slot list of the form's week.
func (s *Server) backURL(t booking.Topic, form bookForm) string {
	return form.Search.topicURL(t.Slug, url.Values{"week": {weekStart(form.Start, s.loc).Format(time.DateOnly)}})
}

// slotLanguages finds the meeting languages in which the slot is still
// offered, and its end.
func (s *Server) slotLanguages(c *gin.Context, t booking.Topic, form bookForm) ([]string, time.Time, match, error) {
	try := []string{"nb", "en"}
	if form.Search.Language != "" {
		try = []string{form.Search.Language}
	}
	var langs []string
	var end time.Time
	var who match
	for _, l := range try {
		slots, err := s.booker.Slots(c.Request.Context(), booking.SlotSearch{
			TopicSlug: t.Slug, Language: l, Mode: form.Mode, Campus: form.Search.Campus,
			From: form.Start, To: form.Start.Add(time.Second),
		})
		if err != nil {
			return nil, time.Time{}, match{}, err
		}
		for _, sl := range slots {
			if sl.Start.Equal(form.Start) && sl.Online == (form.Mode == booking.ModeOnline) {
				// With a librarian asked for, the time counts only if
				// they are free then.
				m, ok := slotMatch(sl, form.Search.Librarian)
				if !ok {
					break
				}
				if who.Name == "" || l == form.Language {
					who = m
				}
				langs, end = append(langs, l), sl.End
				break
			}
		}
	}
	return langs, end, who, nil
}
