package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// generalSlug is the "help me choose" topic when the catalogue marks none.
const generalSlug = "generell"

type homePage struct {
	page
	Groups  []topicGroup
	Filters filters
	Chosen  string // the topic slug chosen, when the form comes back
	// HelpSlug is the "I don't know — help me choose" topic.
	HelpSlug string
	// TopicError is the message shown above the topic choice.
	TopicError string
}

// topicGroup is a service and its topics; a zero Service holds the
// topics whose service is not in the catalogue.
type topicGroup struct {
	Service booking.Service
	Topics  []booking.Topic
}

// home shows the topics grouped by service, with the meeting filters, in
// one GET form that leads to the slot list.
func (s *Server) home(c *gin.Context) error {
	cat, err := s.booker.Catalog(c.Request.Context())
	if err != nil {
		return err
	}
	return s.renderHome(c, http.StatusOK, cat, filtersFrom(c), "", nil)
}

// chooseTopic sends the home form on to the chosen topic's slot list.
func (s *Server) chooseTopic(c *gin.Context) error {
	cat, err := s.booker.Catalog(c.Request.Context())
	if err != nil {
		return err
	}
	f := filtersFrom(c)
	slug := c.Query("topic")
	if _, ok := findTopic(cat, slug); !ok {
		lang := s.lang(c)
		return s.renderHome(c, http.StatusUnprocessableEntity, cat, f, "",
			[]formError{{Field: "topic", Message: fieldMessage(lang, "topic", "required")}})
	}
	c.Redirect(http.StatusSeeOther, f.topicURL(slug, nil))
	return nil
}

func (s *Server) renderHome(c *gin.Context, status int, cat booking.Catalog, f filters, chosen string, errs []formError) error {
	self := &url.URL{Path: "/", RawQuery: f.values(nil).Encode()}
	p := homePage{page: s.newPage(c, self), Filters: f, Chosen: chosen, HelpSlug: generalSlug}
	p.Errors = errs
	known := make(map[string]bool)
	for _, sv := range cat.Services {
		g := topicGroup{Service: sv}
		for _, t := range cat.Topics {
			if t.ServiceSlug == sv.Slug && !t.General {
				g.Topics = append(g.Topics, t)
			}
		}
		known[sv.Slug] = true
		if len(g.Topics) > 0 {
			p.Groups = append(p.Groups, g)
		}
	}
	var other topicGroup
	for _, t := range cat.Topics {
		if t.General {
			p.HelpSlug = t.Slug
		} else if !known[t.ServiceSlug] {
			other.Topics = append(other.Topics, t)
		}
	}
	if len(other.Topics) > 0 {
		p.Groups = append(p.Groups, other)
	}
	// An error about the topic points at the first radio button.
	for i := range p.Errors {
		if p.Errors[i].Field == "topic" {
			p.TopicError = p.Errors[i].Message
			p.Errors[i].Field = ""
			if len(p.Groups) > 0 {
				p.Errors[i].Field = "topic-" + p.Groups[0].Topics[0].Slug
			}
		}
	}
	return s.render(c, status, "home", p)
}

func findTopic(cat booking.Catalog, slug string) (booking.Topic, bool) {
	for _, t := range cat.Topics {
		if t.Slug == slug && slug != "" {
			return t, true
		}
	}
	return booking.Topic{}, false
}
