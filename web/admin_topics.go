package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// The admin's topic pages: the catalogue's topics, with their service,
// names, rules, whether students are offered them and in which order.

type adminTopicsPage struct {
	staffPage
	Topics   []booking.TopicListing
	Services []booking.Service
	Form     topicForm
}

type topicForm struct {
	Slug, Service, NameNB, NameEN, DescriptionNB, DescriptionEN string
	General, Active                                             bool
	Order                                                       string
	Rules                                                       rulesForm
}

func (s *Server) adminTopics(c *gin.Context) error {
	return s.renderAdminTopics(c, http.StatusOK, topicForm{Active: true}, nil)
}

func (s *Server) renderAdminTopics(c *gin.Context, status int, form topicForm, errs []formError) error {
	ctx := c.Request.Context()
	topics, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return err
	}
	services, err := s.cfg.Staff.Store.Services(ctx)
	if err != nil {
		return err
	}
	p := adminTopicsPage{staffPage: s.newStaffPage(c, me(c)), Topics: topics, Services: services, Form: form}
	p.Errors = errs
	return s.render(c, status, "admin_topics", p)
}

func readTopicForm(c *gin.Context) topicForm {
	return topicForm{
		Slug: strings.TrimSpace(c.PostForm("slug")), Service: c.PostForm("service"),
		NameNB: c.PostForm("name_nb"), NameEN: c.PostForm("name_en"),
		DescriptionNB: c.PostForm("description_nb"), DescriptionEN: c.PostForm("description_en"),
		General: c.PostForm("general") == "1", Active: c.PostForm("active") == "1",
		Order: c.PostForm("order"), Rules: readRulesForm(c),
	}
}

// topicOf checks the form; the formErrors name the fields.
func (s *Server) topicOf(c *gin.Context, f topicForm) (booking.Topic, []formError) {
	lang := s.lang(c)
	o, bad := f.Rules.override()
	if bad != "" {
		return booking.Topic{}, []formError{{Field: bad, Message: T(lang, "staff.rules.invalid")}}
	}
	if strings.TrimSpace(f.NameNB) == "" || strings.TrimSpace(f.NameEN) == "" {
		return booking.Topic{}, []formError{{Field: "name_nb", Message: T(lang, "staff.topics.names.required")}}
	}
	return booking.Topic{Slug: f.Slug, ServiceSlug: f.Service, NameNB: f.NameNB, NameEN: f.NameEN,
		DescriptionNB: f.DescriptionNB, DescriptionEN: f.DescriptionEN, General: f.General, Rules: o}, nil
}

func (s *Server) adminCreateTopic(c *gin.Context) error {
	f := readTopicForm(c)
	t, errs := s.topicOf(c, f)
	if errs != nil {
		return s.renderAdminTopics(c, http.StatusUnprocessableEntity, f, errs)
	}
	created, err := s.cfg.Staff.Store.CreateTopic(c.Request.Context(), t)
	if err != nil {
		status, errs, ok := s.catalogError(c, err, "slug")
		if !ok {
			return err
		}
		return s.renderAdminTopics(c, status, f, errs)
	}
	if err := s.setTopicListing(c, created.ID, f); err != nil {
		return err
	}
	return done(c, "/admin/topics", "saved")
}

func (s *Server) setTopicListing(c *gin.Context, id int64, f topicForm) error {
	ctx := c.Request.Context()
	if err := s.cfg.Staff.Store.SetTopicActive(ctx, id, f.Active); err != nil {
		return err
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.Order)); err == nil {
		return s.cfg.Staff.Store.SetTopicOrder(ctx, id, n)
	}
	return nil
}

type adminTopicPage struct {
	staffPage
	ID       int64
	Services []booking.Service
	Form     topicForm
	questionsSection
}

func (s *Server) adminTopic(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	all, err := s.cfg.Staff.Store.AllTopics(c.Request.Context())
	if err != nil {
		return err
	}
	for _, t := range all {
		if t.ID == id {
			f := topicForm{Slug: t.Slug, Service: t.ServiceSlug, NameNB: t.NameNB, NameEN: t.NameEN,
				DescriptionNB: t.DescriptionNB, DescriptionEN: t.DescriptionEN, General: t.General, Active: t.Active,
				Order: strconv.Itoa(t.SortOrder), Rules: rulesFormOf(t.Rules)}
			return s.renderAdminTopic(c, http.StatusOK, id, f, nil)
		}
	}
	return errStatus(http.StatusNotFound)
}

func (s *Server) renderAdminTopic(c *gin.Context, status int, id int64, f topicForm, errs []formError) error {
	services, err := s.cfg.Staff.Store.Services(c.Request.Context())
	if err != nil {
		return err
	}
	p := adminTopicPage{staffPage: s.newStaffPage(c, me(c)), ID: id, Services: services, Form: f}
	p.Errors = errs
	if s.cfg.Staff.Questions != nil {
		if p.questionsSection, err = s.questionsSection(c.Request.Context(), 0, id, "/admin/topics/"+strconv.FormatInt(id, 10)+"/questions"); err != nil {
			return err
		}
		p.QuestionsInherited = len(p.Questions) == 0
	}
	return s.render(c, status, "admin_topic", p)
}

func (s *Server) adminUpdateTopic(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	old, err := s.cfg.Staff.Store.TopicByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	f := readTopicForm(c)
	f.Slug = old.Slug // never changes: it is in librarians' hashtags
	t, errs := s.topicOf(c, f)
	if errs != nil {
		return s.renderAdminTopic(c, http.StatusUnprocessableEntity, id, f, errs)
	}
	t.ID = id
	if _, err := s.cfg.Staff.Store.UpdateTopic(c.Request.Context(), t); err != nil {
		status, errs, ok := s.catalogError(c, err, "service")
		if !ok {
			return err
		}
		return s.renderAdminTopic(c, status, id, f, errs)
	}
	if err := s.setTopicListing(c, id, f); err != nil {
		return err
	}
	return done(c, "/admin/topics/"+strconv.FormatInt(id, 10), "saved")
}
