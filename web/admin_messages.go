package web

import "fmt"

// adminMessages are the texts of the admin pages on the outbox's health
// and on drop-in tags (admin_outbox.go, admin_dropin_tags.go); init adds
// them to messages, and refuses a key both define.
var adminMessages = map[string]map[string]string{
	"nb": {
		"staff.nav.admin.outbox":     "E-post",
		"staff.nav.admin.dropintags": "Drop-in-emneknagger",
		"staff.done.requeued":        "Meldingen er lagt i køen igjen og sendes om kort tid.",

		"staff.outbox.title":              "E-post som skal sendes",
		"staff.outbox.intro":              "E-postene til studenter og bibliotekarer venter i utboksen til de er sendt. En melding som e-posttjeneren avviste, eller som ikke kom fram etter mange forsøk, er markert som feilet og sendes ikke igjen av seg selv.",
		"staff.outbox.counts":             "Meldinger i utboksen",
		"staff.outbox.pending":            "venter på å bli sendt",
		"staff.outbox.failed":             "feilet",
		"staff.outbox.sent":               "sendt",
		"staff.outbox.skipped":            "ikke sendt med vilje (bookingen ble endret, avlyst eller slettet)",
		"staff.outbox.failed.title":       "Meldinger som feilet",
		"staff.outbox.failed.hint":        "Rett årsaken først, for eksempel e-posttjeneren, og prøv så igjen. Meldingen lages på nytt fra bookingen slik den er nå.",
		"staff.outbox.failed.none":        "Ingen meldinger har feilet.",
		"staff.outbox.failed.more":        "Viser de %d nyeste.",
		"staff.outbox.col.kind":           "Melding",
		"staff.outbox.col.booking":        "Booking",
		"staff.outbox.col.attempts":       "Forsøk",
		"staff.outbox.col.error":          "Siste feil",
		"staff.outbox.col.created":        "Lagt i kø",
		"staff.outbox.booking.gone":       "(slettet)",
		"staff.outbox.retry":              "Prøv igjen",
		"staff.outbox.retry.which":        "melding %d",
		"staff.outbox.kind.confirmation":  "Bekreftelse",
		"staff.outbox.kind.reminder":      "Påminnelse",
		"staff.outbox.kind.moved":         "Ny tid",
		"staff.outbox.kind.cancelled":     "Avlysning",
		"staff.outbox.kind.librarian-new": "Ny booking, til bibliotekaren",
		"staff.dropintags.title":          "Emneknagger uten tema i drop-in-økter",
		"staff.dropintags.intro":          "Disse emneknaggene og kategoriene i drop-in-øktene svarer ikke til noe tema. Øktene vises derfor ikke under noe tema eller i temaenes kalenderabonnement. Rett emneknaggen i økten, eller opprett et tema med den som kortnavn.",
		"staff.dropintags.topics":         "Gå til temaene",
		"staff.dropintags.list":           "Ukjente emneknagger",
		"staff.dropintags.none":           "Alle emneknaggene i drop-in-øktene svarer til et tema.",
		"staff.dropintags.col.tag":        "Emneknagg",
		"staff.dropintags.col.session":    "Økt",
		"staff.dropintags.col.object":     "Kalenderobjekt",
		"staff.dropintags.untitled":       "(uten tittel)",
	},
	"en": {
		"staff.nav.admin.outbox":     "Email",
		"staff.nav.admin.dropintags": "Drop-in hashtags",
		"staff.done.requeued":        "The message is queued again and will be sent shortly.",

		"staff.outbox.title":              "Email to send",
		"staff.outbox.intro":              "The emails to students and librarians wait in the outbox until they are sent. A message the mail server refused, or that did not get through after many attempts, is marked failed and is not sent again by itself.",
		"staff.outbox.counts":             "Messages in the outbox",
		"staff.outbox.pending":            "waiting to be sent",
		"staff.outbox.failed":             "failed",
		"staff.outbox.sent":               "sent",
		"staff.outbox.skipped":            "not sent on purpose (the booking was changed, cancelled or deleted)",
		"staff.outbox.failed.title":       "Failed messages",
		"staff.outbox.failed.hint":        "Fix the cause first, for instance the mail server, then try again. The message is made afresh from the booking as it is now.",
		"staff.outbox.failed.none":        "No messages have failed.",
		"staff.outbox.failed.more":        "Showing the newest %d.",
		"staff.outbox.col.kind":           "Message",
		"staff.outbox.col.booking":        "Booking",
		"staff.outbox.col.attempts":       "Attempts",
		"staff.outbox.col.error":          "Last error",
		"staff.outbox.col.created":        "Queued",
		"staff.outbox.booking.gone":       "(deleted)",
		"staff.outbox.retry":              "Try again",
		"staff.outbox.retry.which":        "message %d",
		"staff.outbox.kind.confirmation":  "Confirmation",
		"staff.outbox.kind.reminder":      "Reminder",
		"staff.outbox.kind.moved":         "New time",
		"staff.outbox.kind.cancelled":     "Cancellation",
		"staff.outbox.kind.librarian-new": "New booking, to the librarian",
		"staff.dropintags.title":          "Drop-in hashtags without a topic",
		"staff.dropintags.intro":          "These hashtags and categories in drop-in sessions name no topic, so the sessions show under no topic and in no topic’s calendar subscription. Correct the hashtag in the session, or create a topic with it as its short name.",
		"staff.dropintags.topics":         "Go to the topics",
		"staff.dropintags.list":           "Unknown hashtags",
		"staff.dropintags.none":           "Every hashtag in the drop-in sessions names a topic.",
		"staff.dropintags.col.tag":        "Hashtag",
		"staff.dropintags.col.session":    "Session",
		"staff.dropintags.col.object":     "Calendar object",
		"staff.dropintags.untitled":       "(untitled)",
	},
}

func init() {
	for lang, m := range adminMessages {
		for k, v := range m {
			if _, dup := messages[lang][k]; dup {
				panic(fmt.Sprintf("web: message %q is defined twice", k))
			}
			messages[lang][k] = v
		}
	}
}
