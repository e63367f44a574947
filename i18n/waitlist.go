package i18n

// waitlist holds the texts of what a topic with no free time offers: the
// next drop-in session, the waitlist and its offers, and a request to the
// librarians.
var waitlist = map[string]text{
	"nothing.none": {
		nb: "Ingen ledige tider i dette temaet de neste ukene.",
		en: "No free times in this topic in the coming weeks.",
	},
	"nothing.title":          {nb: "Dette kan du gjøre i stedet", en: "What you can do instead"},
	"nothing.dropin.title":   {nb: "Kom på drop-in", en: "Come to a drop-in session"},
	"nothing.dropin.text":    {nb: "Neste drop-in i dette temaet, uten booking:", en: "The next drop-in session on this topic, no booking needed:"},
	"nothing.dropin.page":    {nb: "Alle drop-in i temaet", en: "All drop-in sessions on the topic"},
	"nothing.dropin.ics":     {nb: "Legg økten i kalenderen (.ics)", en: "Add the session to your calendar (.ics)"},
	"nothing.dropin.feed":    {nb: "Abonner på drop-in i temaet", en: "Subscribe to drop-in sessions on the topic"},
	"nothing.waitlist.title": {nb: "Sett deg på venteliste", en: "Join the waitlist"},
	"nothing.waitlist.text": {
		nb: "Blir en tid ledig, får du den tilbudt på e-post, i den rekkefølgen folk har meldt seg på. Du bestiller den med ett klikk.",
		en: "When a time frees up, it is offered by email to those waiting, first come first served. You book it in one click.",
	},
	"nothing.waitlist.link": {nb: "Meld deg på ventelisten", en: "Join the waitlist"},
	"nothing.request.title": {nb: "Spør bibliotekarene", en: "Ask the librarians"},
	"nothing.request.text": {
		nb: "Send en forespørsel til bibliotekarene med denne kompetansen, så svarer de med tider som passer.",
		en: "Send a request to the librarians with this expertise, and they will answer with times that suit.",
	},
	"nothing.request.link": {nb: "Send en forespørsel", en: "Send a request"},

	"waitlist.title": {nb: "Venteliste", en: "Waitlist"},
	"waitlist.back":  {nb: "Tilbake til ledige tider", en: "Back to free times"},
	"waitlist.lead": {
		nb: "Blir en tid som passer deg ledig, sender vi den på e-post. Tiden holdes av for deg i %d minutter; bestiller du den ikke, går den videre til nestemann.",
		en: "When a time that suits you frees up, we email it to you. It is held for you for %d minutes; if you do not book it, it goes to the next person.",
	},
	"waitlist.email.hint": {nb: "Vi sender tilbudene hit.", en: "We will send the offers here."},
	"waitlist.any":        {nb: "Spiller ingen rolle", en: "No preference"},
	"waitlist.weekdays":   {nb: "Dager som passer", en: "Days that suit you"},
	"waitlist.weekdays.hint": {
		nb: "Kryss ikke av noen, så passer alle dager.",
		en: "Tick none, and every day suits you.",
	},
	"waitlist.times":          {nb: "Tid på dagen", en: "Time of day"},
	"waitlist.times.hint":     {nb: "Kryss ikke av noen, så passer hele dagen.", en: "Tick none, and the whole day suits you."},
	"waitlist.time.morning":   {nb: "Før kl. 12", en: "Before 12:00"},
	"waitlist.time.afternoon": {nb: "Etter kl. 12", en: "After 12:00"},
	"waitlist.librarian":      {nb: "Bestemt bibliotekar (valgfritt)", en: "A particular librarian (optional)"},
	"waitlist.librarian.hint": {
		nb: "Velger du en, får du bare tider hos den bibliotekaren.",
		en: "If you choose one, you are offered only their times.",
	},
	"waitlist.consent": {
		nb: "Jeg samtykker i at opplysningene mine brukes til å tilby meg en tid.",
		en: "I agree that my details are used to offer me a time.",
	},
	"waitlist.consent.hint": {
		nb: "Du står på listen til de neste ukene er over eller du melder deg av. Opplysningene slettes 90 dager etter det.",
		en: "You stay on the list until the coming weeks are over or you leave it. Your details are deleted 90 days after that.",
	},
	"waitlist.submit": {nb: "Meld meg på ventelisten", en: "Put me on the waitlist"},
	"waitlist.limit": {
		nb: "Du står allerede på ventelisten for så mange emner som er lov. Meld deg av en av dem først.",
		en: "You are already waiting for as many topics as allowed. Leave one of the waitlists first.",
	},
	"waitlist.already": {
		nb: "Denne e-postadressen står allerede på ventelisten for temaet.",
		en: "This email address is already on the waitlist for the topic.",
	},

	"waitlist.entry.title":  {nb: "Plassen din på ventelisten", en: "Your place on the waitlist"},
	"waitlist.joined.title": {nb: "Du står på ventelisten", en: "You are on the waitlist"},
	"waitlist.joined.text": {
		nb: "Vi sender deg en e-post når en tid som passer, blir ledig. Ta vare på lenken til denne siden: her kan du melde deg av.",
		en: "We will email you when a time that suits you frees up. Keep the link to this page: you can leave the waitlist here.",
	},
	"waitlist.left.title":     {nb: "Du er meldt av ventelisten", en: "You have left the waitlist"},
	"waitlist.left.text":      {nb: "Du får ingen flere tilbud om tider i temaet.", en: "You will get no more offers of times in the topic."},
	"waitlist.status.waiting": {nb: "Venter på en ledig tid", en: "Waiting for a free time"},
	"waitlist.status.booked":  {nb: "Tid bestilt", en: "Time booked"},
	"waitlist.status.left":    {nb: "Meldt av", en: "Left the waitlist"},
	"waitlist.status.expired": {nb: "Utløpt", en: "Expired"},
	"waitlist.until":          {nb: "Venter til", en: "Waiting until"},
	"waitlist.entry.keep":     {nb: "Vil du ikke lenger ha tilbud om tider?", en: "No longer want offers of times?"},
	"waitlist.leave":          {nb: "Meld meg av ventelisten", en: "Take me off the waitlist"},
	"waitlist.to.topic":       {nb: "Se ledige tider i temaet", en: "See free times in the topic"},
	"waitlist.offer.title":    {nb: "En tid er ledig for deg", en: "A time is free for you"},
	"waitlist.offer.lead":     {nb: "Tiden holdes av for deg til kl. %s. Bekreft for å bestille den.", en: "The time is held for you until %s. Confirm to book it."},
	"waitlist.offer.accepted": {nb: "Du har allerede bestilt denne tiden. Bekreftelsen ligger i e-posten din.", en: "You have booked this time already. The confirmation is in your email."},
	"waitlist.offer.gone": {
		nb: "Tilbudet gjelder ikke lenger: tiden gikk videre til nestemann, eller du har meldt deg av. Du står fortsatt på ventelisten hvis du ikke meldte deg av.",
		en: "The offer no longer stands: the time went to the next person, or you left the waitlist. You are still waiting unless you left.",
	},
	"waitlist.offer.taken": {
		nb: "Bibliotekaren har fått noe annet i denne tiden. Du står fortsatt på ventelisten.",
		en: "The librarian has had something else come up at this time. You are still on the waitlist.",
	},
	"waitlist.offer.accept": {nb: "Bekreft og bestill tiden", en: "Confirm and book the time"},
	"waitlist.offer.ignore": {
		nb: "Passer det ikke, trenger du ikke gjøre noe: tiden går videre, og du står fortsatt på ventelisten.",
		en: "If it does not suit you, do nothing: the time goes on, and you stay on the waitlist.",
	},
	"privacy.waitlist.title": {nb: "Venteliste", en: "Waitlist"},
	"privacy.waitlist": {
		nb: "Står du på en venteliste, lagrer vi navnet ditt, e-postadressen din og hva som passer deg (møteform, språk, dager, tid på dagen, eventuelt en bibliotekar), for å tilby deg ledige tider. Du kan melde deg av fra lenken i e-posten. Opplysningene slettes %d dager etter at du er ute av listen.",
		en: "If you are on a waitlist, we keep your name, your email address and what suits you (way of meeting, language, days, time of day, perhaps a librarian), to offer you free times. You can leave from the link in the email. Your details are deleted %d days after you leave the list.",
	},
	"field.weekdays.invalid":     {nb: "Velg dager fra listen", en: "Choose days from the list"},
	"field.times_of_day.invalid": {nb: "Velg tider fra listen", en: "Choose times from the list"},
	"api.already_waiting": {
		nb: "E-postadressen står allerede på ventelisten for temaet",
		en: "The email address is already on the waitlist for the topic",
	},
}
