package i18n

// events holds the texts of the calendar events Veileder writes: the
// student's calendar file and invitation, and the event in the librarian's
// bookings calendar (written in Norwegian, like the rest of the staff side).
// The study levels are as they stand in a sentence (StudyLevel), for the
// e-mails too.
var events = map[string]text{
	"event.summary":           {nb: "Veiledning: %s med %s", en: "Library guidance: %s with %s"},
	"event.summary.librarian": {nb: "Veiledning: %s – %s", en: "Guidance: %s – %s"},
	"event.cancelled":         {nb: "Denne bookingen er avlyst.", en: "This booking has been cancelled."},
	"event.topic":             {nb: "Tema", en: "Topic"},
	"event.librarian":         {nb: "Bibliotekar", en: "Librarian"},
	"event.time":              {nb: "Tid", en: "Time"},
	"event.online":            {nb: "Nettmøte", en: "Online meeting"},
	"event.place":             {nb: "Sted", en: "Place"},
	"event.yours":             {nb: "Spørsmålet ditt", en: "Your question"},
	"event.manage":            {nb: "Endre eller avbestill", en: "Change or cancel"},

	"event.question":  {nb: "Spørsmål", en: "Question"},
	"event.programme": {nb: "Studieprogram", en: "Study programme"},
	"event.level":     {nb: "Nivå", en: "Level"},
	"event.language":  {nb: "Møtespråk", en: "Meeting language"},
	"event.student":   {nb: "Student", en: "Student"},
	"event.booked": {
		nb: "Booket i Veileder. Slett eller avlys hendelsen for å avlyse bookingen, flytt den for å endre tidspunktet: studenten får beskjed.",
		en: "Booked in Veileder. Delete or cancel the event to cancel the booking, move it to change the time: the student is told.",
	},

	"event.level.bachelor": {nb: "bachelor", en: "bachelor's"},
	"event.level.master":   {nb: "master", en: "master's"},
	"event.level.phd":      {nb: "ph.d.", en: "PhD"},
	"event.level.staff":    {nb: "ansatt", en: "staff"},
	"event.level.other":    {nb: "annet", en: "other"},
}
