package web

import "github.com/veileder/veileder/booking"

// The texts of the pages are in the i18n package's catalogue; fieldMessage
// fills its too_long messages with these limits.

// fieldMax is each field's length limit, for the too_long messages.
var fieldMax = map[string]int{
	"name":      limits.Name,
	"email":     limits.Email,
	"question":  limits.Question,
	"programme": limits.Programme,
	"campus":    maxCampusLen,

	"meeting_url":          booking.MaxMeetingURLLen,
	"meeting_url_template": booking.MaxMeetingURLLen,
}
