package i18n

// student holds the texts of the student's booking flow added for online
// meeting links, moving a booking and choosing a librarian, and of the
// staff and admin fields that feed them.
var student = map[string]text{
	"staff.profile.meeting_url": {nb: "Fast møtelenke (Zoom, Teams)", en: "Default meeting link (Zoom, Teams)"},
	"staff.profile.meeting_url.hint": {
		nb: "Studenter som bestiller et digitalt møte med deg, får denne lenken når vinduet i kalenderen ikke har en egen.",
		en: "Students who book an online meeting with you get this link when the window in your calendar has none of its own.",
	},
	"field.meeting_url.invalid":  {nb: "Skriv en hel nettadresse som begynner med https://.", en: "Enter a full web address starting with https://."},
	"field.meeting_url.too_long": {nb: "Lenken kan være høyst %d tegn.", en: "The link can be at most %d characters."},

	"staff.service.meeting_template": {nb: "Møtelenke per booking", en: "Meeting link per booking"},
	"staff.service.meeting_template.hint": {
		nb: "For digitale møter uten egen lenke i vinduet eller i bibliotekarens profil. {id} blir bookingens nummer, for eksempel https://meet.example.org/veileder-{id}.",
		en: "For online meetings with no link in the window or the librarian's profile. {id} becomes the booking's number, for example https://meet.example.org/veileder-{id}.",
	},
	"field.meeting_url_template.invalid":  {nb: "Skriv en hel nettadresse som begynner med https://, gjerne med {id}.", en: "Enter a full web address starting with https://, with {id} where the booking's number goes."},
	"field.meeting_url_template.too_long": {nb: "Malen kan være høyst %d tegn.", en: "The template can be at most %d characters."},

	"booking.move":    {nb: "Endre tid", en: "Change time"},
	"booking.google":  {nb: "Legg til i Google Kalender", en: "Add to Google Calendar"},
	"booking.outlook": {nb: "Legg til i Outlook", en: "Add to Outlook"},
	"move.title":      {nb: "Endre tid", en: "Change time"},
	"move.back":       {nb: "Tilbake til bookingen din", en: "Back to your booking"},
	"move.now":        {nb: "Bookingen din nå:", en: "Your booking now:"},
	"move.hint": {
		nb: "Velg en ny ledig tid for samme tema. Du beholder den gamle tiden til den nye er din, og får en e-post med den nye tiden.",
		en: "Choose another free time for the same topic. You keep the old time until the new one is yours, and get an e-mail with the new time.",
	},
	"move.submit": {nb: "Flytt bookingen hit", en: "Move my booking here"},
	"move.none":   {nb: "Ingen andre ledige tider denne uken.", en: "No other free times this week."},
	"move.taken": {
		nb: "Noen fikk den tiden like før deg. Bookingen din er uendret; velg en annen tid.",
		en: "Someone got that time just before you. Your booking is unchanged; choose another time.",
	},
	"move.done.title": {nb: "Bookingen er flyttet", en: "Your booking is moved"},
	"move.done.text": {
		nb: "Den nye tiden står under. Vi har sendt deg en e-post med ny kalenderinvitasjon.",
		en: "The new time is below. We have sent you an e-mail with a new calendar invitation.",
	},
	"field.move_start.required": {nb: "Velg en av de ledige tidene.", en: "Choose one of the free times."},
	"field.move_start.same":     {nb: "Bookingen din er allerede på den tiden. Velg en annen tid.", en: "Your booking is already at that time. Choose another time."},
	"field.move_start.past":     {nb: "Den tiden er passert. Velg en annen tid.", en: "That time has passed. Choose another time."},
	"field.move_start.too_soon": {nb: "Den tiden er for snart. Velg en senere tid.", en: "That time is too soon. Choose a later time."},
	"field.move_start.too_far":  {nb: "Den tiden er for langt fram. Velg en tidligere tid.", en: "That time is too far ahead. Choose an earlier time."},
	"field.move_start.off_grid": {nb: "Det er ikke en av de ledige tidene. Velg en fra listen.", en: "That is not one of the free times. Choose one from the list."},
	"field.start.same":          {nb: "Bookingen er allerede på den tiden.", en: "The booking is already at that time."},
	"field.start.started":       {nb: "Møtet har begynt og kan ikke flyttes.", en: "The meeting has begun and cannot be moved."},
	"field.librarian.invalid":   {nb: "Den bibliotekaren veileder ikke i dette temaet.", en: "That librarian does not guide in this topic."},

	"match.with":            {nb: "med %s", en: "with %s"},
	"match.speaks":          {nb: "snakker %s", en: "speaks %s"},
	"match.level.primary":   {nb: "hovedkompetanse", en: "primary competence"},
	"match.level.secondary": {nb: "også kompetanse", en: "secondary competence"},
	"match.choose":          {nb: "Bibliotekar", en: "Librarian"},
	"match.choose.hint":     {nb: "Uten ønske fordeler vi bookingene rettferdig mellom dem som kan temaet.", en: "With no preference, bookings are shared fairly among those who know the topic."},
	"match.any":             {nb: "Ingen preferanse", en: "No preference"},
	"match.form.librarian":  {nb: "Bibliotekar", en: "Librarian"},
	"match.form.languages":  {nb: "Språk", en: "Languages"},
	"match.form.why":        {nb: "Hvorfor", en: "Why"},
	"match.form.assigned":   {nb: "Blir %s opptatt før du bestiller, kan du få en annen ledig bibliotekar.", en: "If %s is taken before you book, you may get another free librarian."},

	"staff.bookings.question": {nb: "Spørsmål", en: "Question"},
	"staff.bookings.language": {nb: "Møtespråk", en: "Meeting language"},
	"staff.bookings.actions":  {nb: "Handlinger", en: "Actions"},
	"staff.cancel.link":       {nb: "Avlys", en: "Cancel"},
	"staff.cancel.title":      {nb: "Avlyse møtet?", en: "Cancel the meeting?"},
	"staff.cancel.back":       {nb: "Tilbake til mine bookinger", en: "Back to my bookings"},
	"staff.cancel.text": {
		nb: "Studenten får en e-post om at møtet er avlyst, og møtet forsvinner fra kalenderen din.",
		en: "The student gets an e-mail that the meeting is cancelled, and it leaves your calendar.",
	},
	"staff.cancel.submit": {nb: "Avlys møtet", en: "Cancel the meeting"},

	"staff.move.link":   {nb: "Flytt", en: "Move"},
	"staff.move.hint":   {nb: "Dine andre ledige tider for samme tema, møteform og språk. Studenten får en e-post med den nye tiden.", en: "Your other free times for the same topic, mode and language. The student gets an e-mail with the new time."},
	"staff.move.submit": {nb: "Flytt møtet hit", en: "Move the meeting here"},
	"staff.done.moved":  {nb: "Møtet er flyttet, og studenten får beskjed.", en: "The meeting is moved and the student is told."},
}
