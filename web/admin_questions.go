package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// The library's own questions on the booking form, per service or topic:
// listed on the admin's service and topic pages, added there, changed on
// a page of their own.

// QuestionStore is what the question pages need from the store.
type QuestionStore interface {
	QuestionsOf(ctx context.Context, serviceID, topicID int64) ([]booking.Question, error)
	Question(ctx context.Context, id int64) (booking.Question, error)
	AddQuestion(ctx context.Context, q booking.Question) (booking.Question, error)
	UpdateQuestion(ctx context.Context, q booking.Question) (booking.Question, error)
	DeleteQuestion(ctx context.Context, id int64) error
	MoveQuestionUp(ctx context.Context, id int64) error
}

// questionForm is what an admin typed for one question.
type questionForm struct {
	Kind             string
	Required         bool
	LabelNB, LabelEN string
	Options          string // one a line, "Norsk | English"
}

func questionFormOf(q booking.Question) questionForm {
	return questionForm{Kind: string(q.Kind), Required: q.Required, LabelNB: q.LabelNB, LabelEN: q.LabelEN,
		Options: booking.FormatOptions(q.Options)}
}

func readQuestionForm(c *gin.Context) questionForm {
	return questionForm{Kind: c.PostForm("kind"), Required: c.PostForm("required") == "1",
		LabelNB: c.PostForm("label_nb"), LabelEN: c.PostForm("label_en"), Options: c.PostForm("options")}
}

func (f questionForm) question() booking.Question {
	return booking.Question{Kind: booking.QuestionKind(f.Kind), Required: f.Required, LabelNB: f.LabelNB,
		LabelEN: f.LabelEN, Options: booking.ParseOptions(f.Options)}
}

// questionsSection is the list of questions and the form to add one, on a
// service's or topic's page.
type questionsSection struct {
	Questions []booking.Question
	// QuestionsAdd is where the add form posts; QuestionsFull says the
	// owner has booking.MaxQuestions already.
	QuestionsAdd  string
	QuestionsFull bool
	// QuestionsInherited marks a topic that asks its service's questions
	// (or the default ones): adding one replaces them for the topic.
	QuestionsInherited bool
	QForm              questionForm
	Kinds              []booking.QuestionKind
	MaxQuestions       int
}

// KindName names a question kind in the page's language.
func (p staffPage) KindName(k booking.QuestionKind) string {
	return p.T("staff.questions.kind." + string(k))
}

func (s *Server) questionsSection(ctx context.Context, serviceID, topicID int64, add string) (questionsSection, error) {
	qs, err := s.cfg.Staff.Questions.QuestionsOf(ctx, serviceID, topicID)
	if err != nil {
		return questionsSection{}, err
	}
	return questionsSection{Questions: qs, QuestionsAdd: add, QuestionsFull: len(qs) >= booking.MaxQuestions,
		QForm: questionForm{Kind: string(booking.QuestionText)}, Kinds: booking.QuestionKinds,
		MaxQuestions: booking.MaxQuestions}, nil
}

// questionOwner is the admin page of the service or topic a question
// belongs to.
func (s *Server) questionOwner(c *gin.Context, q booking.Question) (string, error) {
	if q.TopicID != 0 {
		return "/admin/topics/" + strconv.FormatInt(q.TopicID, 10), nil
	}
	services, err := s.cfg.Staff.Store.Services(c.Request.Context())
	if err != nil {
		return "", err
	}
	for _, sv := range services {
		if sv.ID == q.ServiceID {
			return "/admin/services/" + sv.Slug, nil
		}
	}
	return "", errStatus(http.StatusNotFound)
}

type questionPage struct {
	staffPage
	QForm   questionForm
	Action  string
	BackURL string
	New     bool
	Kinds   []booking.QuestionKind
}

func (s *Server) renderQuestion(c *gin.Context, status int, p questionPage, errs []formError) error {
	p.staffPage = s.newStaffPage(c, me(c))
	p.Kinds = booking.QuestionKinds
	p.Errors = errs
	return s.render(c, status, "admin_question", p)
}

// questionErrors is a refused question as the form shows it.
func (s *Server) questionErrors(c *gin.Context, err error) ([]formError, bool) {
	lang := s.lang(c)
	var fe *booking.FieldError
	switch {
	case errors.As(err, &fe):
		field := fe.Field
		if field == "label" {
			field = "label_nb"
		}
		var args []any
		switch fe.Field + "." + fe.Code {
		case "label.too_long":
			args = []any{booking.MaxQuestionLabelLen}
		case "options.too_many":
			args = []any{booking.MaxOptions}
		case "options.invalid":
			args = []any{booking.MaxOptionLen}
		}
		return []formError{{Field: field, Message: T(lang, "staff.questions.error."+fe.Field+"."+fe.Code, args...)}}, true
	case errors.Is(err, booking.ErrLimitReached):
		return []formError{{Message: T(lang, "staff.questions.error.full", booking.MaxQuestions)}}, true
	}
	return nil, false
}

// adminAddServiceQuestion adds a question to a service.
func (s *Server) adminAddServiceQuestion(c *gin.Context) error {
	svc, err := s.cfg.Staff.Store.ServiceBySlug(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return s.addQuestion(c, svc.ID, 0, "/admin/services/"+svc.Slug)
}

// adminAddTopicQuestion adds a question to a topic.
func (s *Server) adminAddTopicQuestion(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.cfg.Staff.Store.TopicByID(c.Request.Context(), id); err != nil {
		return err
	}
	return s.addQuestion(c, 0, id, "/admin/topics/"+strconv.FormatInt(id, 10))
}

func (s *Server) addQuestion(c *gin.Context, serviceID, topicID int64, back string) error {
	f := readQuestionForm(c)
	q := f.question()
	q.ServiceID, q.TopicID = serviceID, topicID
	if _, err := s.cfg.Staff.Questions.AddQuestion(c.Request.Context(), q); err != nil {
		errs, ok := s.questionErrors(c, err)
		if !ok {
			return err
		}
		// The question's own page, with what was typed and why not.
		return s.renderQuestion(c, http.StatusUnprocessableEntity, questionPage{QForm: f, Action: c.Request.URL.Path, BackURL: back, New: true}, errs)
	}
	return done(c, back, "questions")
}

// adminQuestion shows one question to change.
func (s *Server) adminQuestion(c *gin.Context) error {
	q, back, err := s.loadQuestion(c)
	if err != nil {
		return err
	}
	return s.renderQuestion(c, http.StatusOK, questionPage{QForm: questionFormOf(q), Action: c.Request.URL.Path, BackURL: back}, nil)
}

func (s *Server) loadQuestion(c *gin.Context) (booking.Question, string, error) {
	id, err := s.idParam(c, "id")
	if err != nil {
		return booking.Question{}, "", err
	}
	q, err := s.cfg.Staff.Questions.Question(c.Request.Context(), id)
	if err != nil {
		return booking.Question{}, "", err
	}
	back, err := s.questionOwner(c, q)
	return q, back, err
}

// adminUpdateQuestion saves a changed question.
func (s *Server) adminUpdateQuestion(c *gin.Context) error {
	old, back, err := s.loadQuestion(c)
	if err != nil {
		return err
	}
	f := readQuestionForm(c)
	q := f.question()
	q.ID = old.ID
	if _, err := s.cfg.Staff.Questions.UpdateQuestion(c.Request.Context(), q); err != nil {
		errs, ok := s.questionErrors(c, err)
		if !ok {
			return err
		}
		return s.renderQuestion(c, http.StatusUnprocessableEntity, questionPage{QForm: f, Action: c.Request.URL.Path, BackURL: back}, errs)
	}
	return done(c, back, "questions")
}

// adminDeleteQuestion removes a question; answers given keep their copy.
func (s *Server) adminDeleteQuestion(c *gin.Context) error {
	q, back, err := s.loadQuestion(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Staff.Questions.DeleteQuestion(c.Request.Context(), q.ID); err != nil {
		return err
	}
	return done(c, back, "questions")
}

// adminQuestionUp moves a question one place up on the form.
func (s *Server) adminQuestionUp(c *gin.Context) error {
	q, back, err := s.loadQuestion(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Staff.Questions.MoveQuestionUp(c.Request.Context(), q.ID); err != nil {
		return err
	}
	return done(c, back, "questions")
}
