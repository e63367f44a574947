package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// The admin's service pages: the services topics belong to, with their
// names and rules.

type servicesPage struct {
	staffPage
	Services []booking.Service
	Form     serviceForm
}

type serviceForm struct {
	Slug, NameNB, NameEN, DescriptionNB, DescriptionEN string
	Rules                                              rulesForm
	MeetingURLTemplate                                 string
}

func (s *Server) adminServices(c *gin.Context) error {
	return s.renderServices(c, http.StatusOK, serviceForm{}, nil)
}

func (s *Server) renderServices(c *gin.Context, status int, f serviceForm, errs []formError) error {
	services, err := s.cfg.Staff.Store.Services(c.Request.Context())
	if err != nil {
		return err
	}
	p := servicesPage{staffPage: s.newStaffPage(c, me(c)), Services: services, Form: f}
	p.Errors = errs
	return s.render(c, status, "admin_services", p)
}

func readServiceForm(c *gin.Context) serviceForm {
	return serviceForm{
		Slug: strings.TrimSpace(c.PostForm("slug")), NameNB: c.PostForm("name_nb"), NameEN: c.PostForm("name_en"),
		DescriptionNB: c.PostForm("description_nb"), DescriptionEN: c.PostForm("description_en"), Rules: readRulesForm(c),
		MeetingURLTemplate: strings.TrimSpace(c.PostForm("meeting_url_template")),
	}
}

func (s *Server) serviceOf(c *gin.Context, f serviceForm) (booking.Service, []formError) {
	lang := s.lang(c)
	o, bad := f.Rules.override()
	if bad != "" {
		return booking.Service{}, []formError{{Field: bad, Message: T(lang, "staff.rules.invalid")}}
	}
	if strings.TrimSpace(f.NameNB) == "" || strings.TrimSpace(f.NameEN) == "" {
		return booking.Service{}, []formError{{Field: "name_nb", Message: T(lang, "staff.topics.names.required")}}
	}
	var fe *booking.FieldError
	if err := booking.ValidMeetingTemplate(f.MeetingURLTemplate); errors.As(err, &fe) {
		return booking.Service{}, []formError{{Field: fe.Field, Message: fieldMessage(lang, fe.Field, fe.Code)}}
	}
	return booking.Service{Slug: f.Slug, NameNB: f.NameNB, NameEN: f.NameEN, DescriptionNB: f.DescriptionNB,
		DescriptionEN: f.DescriptionEN, Rules: o, MeetingURLTemplate: f.MeetingURLTemplate}, nil
}

func (s *Server) adminCreateService(c *gin.Context) error {
	f := readServiceForm(c)
	svc, errs := s.serviceOf(c, f)
	if errs != nil {
		return s.renderServices(c, http.StatusUnprocessableEntity, f, errs)
	}
	if _, err := s.cfg.Staff.Store.CreateService(c.Request.Context(), svc); err != nil {
		status, errs, ok := s.catalogError(c, err, "slug")
		if !ok {
			return err
		}
		return s.renderServices(c, status, f, errs)
	}
	return done(c, "/admin/services", "saved")
}

type servicePage struct {
	staffPage
	Form serviceForm
	questionsSection
	// Provider, when sign-in is configured, offers to require it for the
	// service's bookings (admin_signin.go); RequireSignIn is the setting.
	Provider      string
	RequireSignIn bool
}

func (s *Server) adminService(c *gin.Context) error {
	svc, err := s.cfg.Staff.Store.ServiceBySlug(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	f := serviceForm{Slug: svc.Slug, NameNB: svc.NameNB, NameEN: svc.NameEN, DescriptionNB: svc.DescriptionNB,
		DescriptionEN: svc.DescriptionEN, Rules: rulesFormOf(svc.Rules), MeetingURLTemplate: svc.MeetingURLTemplate}
	p := servicePage{staffPage: s.newStaffPage(c, me(c)), Form: f, RequireSignIn: svc.RequireSignIn}
	if s.cfg.Staff.Questions != nil {
		if p.questionsSection, err = s.questionsSection(c.Request.Context(), svc.ID, 0, "/admin/services/"+svc.Slug+"/questions"); err != nil {
			return err
		}
	}
	if s.signInEnabled() {
		p.Provider = s.cfg.SignIn.Client.Name()
	}
	return s.render(c, http.StatusOK, "admin_service", p)
}

func (s *Server) adminUpdateService(c *gin.Context) error {
	if _, err := s.cfg.Staff.Store.ServiceBySlug(c.Request.Context(), c.Param("slug")); err != nil {
		return err
	}
	f := readServiceForm(c)
	f.Slug = c.Param("slug")
	svc, errs := s.serviceOf(c, f)
	if errs == nil {
		if _, err := s.cfg.Staff.Store.UpdateService(c.Request.Context(), svc); err != nil {
			var ok bool
			if _, errs, ok = s.catalogError(c, err, "name_nb"); !ok {
				return err
			}
		}
	}
	if errs != nil {
		p := servicePage{staffPage: s.newStaffPage(c, me(c)), Form: f}
		p.Errors = errs
		return s.render(c, http.StatusUnprocessableEntity, "admin_service", p)
	}
	return done(c, "/admin/services/"+f.Slug, "saved")
}
