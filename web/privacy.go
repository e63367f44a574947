package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// PrivacyNotice is what the privacy page says that differs between
// libraries: who the data controller is, whom to ask, and how long a
// booking keeps personal data (the retention job's setting, so that the
// page cannot promise what the job does not do).
type PrivacyNotice struct {
	// Controller is the institution responsible for the data, such as
	// "Universitetet i Oslo"; empty names "the library".
	Controller string
	// Contact is an e-mail address or a web address for privacy
	// questions (often the data protection officer); empty shows none.
	Contact string
	// Retention is how long after the meeting personal data is kept;
	// zero means 90 days.
	Retention time.Duration
}

// noticePage is the privacy notice's template data.
type noticePage struct {
	page
	Controller  string
	ContactURL  string // mailto: or the web address
	ContactText string
	Days        int
}

// privacy is the short privacy notice linked from the consent box.
func (s *Server) privacy(c *gin.Context) error {
	n := s.cfg.Privacy
	p := noticePage{page: s.newPage(c, nil), Controller: n.Controller, Days: 90}
	if n.Retention > 0 {
		p.Days = int((n.Retention + 24*time.Hour - 1) / (24 * time.Hour))
	}
	switch contact := strings.TrimSpace(n.Contact); {
	case contact == "":
	case strings.HasPrefix(contact, "https://") || strings.HasPrefix(contact, "http://"):
		p.ContactURL, p.ContactText = contact, contact
	default:
		p.ContactURL, p.ContactText = "mailto:"+contact, contact
	}
	return s.render(c, http.StatusOK, "privacy", p)
}
