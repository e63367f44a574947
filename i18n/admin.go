package i18n

// admin holds the texts of the admin pages on the outbox's health and on
// drop-in tags.
var admin = map[string]text{
	"staff.nav.admin.outbox":     {nb: "E-post", en: "Email"},
	"staff.nav.admin.dropintags": {nb: "Drop-in-emneknagger", en: "Drop-in hashtags"},
	"staff.done.requeued": {
		nb: "Meldingen er lagt i køen igjen og sendes om kort tid.",
		en: "The message is queued again and will be sent shortly.",
	},

	"staff.outbox.title": {nb: "E-post som skal sendes", en: "Email to send"},
	"staff.outbox.intro": {
		nb: "E-postene til studenter og bibliotekarer venter i utboksen til de er sendt. En melding som e-posttjeneren avviste, eller som ikke kom fram etter mange forsøk, er markert som feilet og sendes ikke igjen av seg selv.",
		en: "The emails to students and librarians wait in the outbox until they are sent. A message the mail server refused, or that did not get through after many attempts, is marked failed and is not sent again by itself.",
	},
	"staff.outbox.counts":  {nb: "Meldinger i utboksen", en: "Messages in the outbox"},
	"staff.outbox.pending": {nb: "venter på å bli sendt", en: "waiting to be sent"},
	"staff.outbox.failed":  {nb: "feilet", en: "failed"},
	"staff.outbox.sent":    {nb: "sendt", en: "sent"},
	"staff.outbox.skipped": {
		nb: "ikke sendt med vilje (bookingen ble endret, avlyst eller slettet)",
		en: "not sent on purpose (the booking was changed, cancelled or deleted)",
	},
	"staff.outbox.failed.title": {nb: "Meldinger som feilet", en: "Failed messages"},
	"staff.outbox.failed.hint": {
		nb: "Rett årsaken først, for eksempel e-posttjeneren, og prøv så igjen. Meldingen lages på nytt fra bookingen slik den er nå.",
		en: "Fix the cause first, for instance the mail server, then try again. The message is made afresh from the booking as it is now.",
	},
	"staff.outbox.failed.none":             {nb: "Ingen meldinger har feilet.", en: "No messages have failed."},
	"staff.outbox.failed.more":             {nb: "Viser de %d nyeste.", en: "Showing the newest %d."},
	"staff.outbox.col.kind":                {nb: "Melding", en: "Message"},
	"staff.outbox.col.booking":             {nb: "Booking", en: "Booking"},
	"staff.outbox.col.attempts":            {nb: "Forsøk", en: "Attempts"},
	"staff.outbox.col.error":               {nb: "Siste feil", en: "Last error"},
	"staff.outbox.col.created":             {nb: "Lagt i kø", en: "Queued"},
	"staff.outbox.booking.gone":            {nb: "(slettet)", en: "(deleted)"},
	"staff.outbox.retry":                   {nb: "Prøv igjen", en: "Try again"},
	"staff.outbox.retry.which":             {nb: "melding %d", en: "message %d"},
	"staff.outbox.kind.confirmation":       {nb: "Bekreftelse", en: "Confirmation"},
	"staff.outbox.kind.reminder":           {nb: "Påminnelse", en: "Reminder"},
	"staff.outbox.kind.followup":           {nb: "Etter møtet (student)", en: "After the meeting (student)"},
	"staff.outbox.kind.librarian-followup": {nb: "Etter møtet (bibliotekar)", en: "After the meeting (librarian)"},
	"staff.outbox.kind.moved":              {nb: "Ny tid", en: "New time"},
	"staff.outbox.kind.cancelled":          {nb: "Avlysning", en: "Cancellation"},
	"staff.outbox.kind.librarian-new":      {nb: "Ny booking, til bibliotekaren", en: "New booking, to the librarian"},
	"staff.outbox.kind.librarian-invite":   {nb: "Invitasjon til bibliotekarens kalender", en: "Invitation to the librarian's calendar"},
	"staff.outbox.kind.librarian-release":  {nb: "Avlysning i forrige bibliotekars kalender", en: "Cancellation in the previous librarian's calendar"},
	"staff.outbox.kind.external-failing":   {nb: "Kalenderlenke som feiler", en: "Failing calendar link"},
	"staff.outbox.kind.itip":               {nb: "Møteinvitasjon fra en ansatt", en: "Meeting invitation from staff"},
	"staff.dropintags.title":               {nb: "Emneknagger uten tema i drop-in-økter", en: "Drop-in hashtags without a topic"},
	"staff.dropintags.intro": {
		nb: "Disse emneknaggene og kategoriene i drop-in-øktene svarer ikke til noe tema. Øktene vises derfor ikke under noe tema eller i temaenes kalenderabonnement. Rett emneknaggen i økten, eller opprett et tema med den som kortnavn.",
		en: "These hashtags and categories in drop-in sessions name no topic, so the sessions show under no topic and in no topic’s calendar subscription. Correct the hashtag in the session, or create a topic with it as its short name.",
	},
	"staff.dropintags.topics": {nb: "Gå til temaene", en: "Go to the topics"},
	"staff.dropintags.list":   {nb: "Ukjente emneknagger", en: "Unknown hashtags"},
	"staff.dropintags.none": {
		nb: "Alle emneknaggene i drop-in-øktene svarer til et tema.",
		en: "Every hashtag in the drop-in sessions names a topic.",
	},
	"staff.dropintags.col.tag":     {nb: "Emneknagg", en: "Hashtag"},
	"staff.dropintags.col.session": {nb: "Økt", en: "Session"},
	"staff.dropintags.col.object":  {nb: "Kalenderobjekt", en: "Calendar object"},
	"staff.dropintags.untitled":    {nb: "(uten tittel)", en: "(untitled)"},
}
