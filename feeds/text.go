package feeds

// texts are the few words the feeds write themselves, per language.
var texts = map[string]map[string]string{
	"nb": {
		"feed.name":              "Drop-in-veiledning",
		"feed.name.theme":        "Drop-in-veiledning: %s",
		"feed.description":       "Drop-in-veiledning i biblioteket. Kom innom, ingen timebestilling.",
		"feed.description.theme": "Drop-in-veiledning i biblioteket om %s. Kom innom, ingen timebestilling.",
		"session.untitled":       "Drop-in-veiledning",
	},
	"en": {
		"feed.name":              "Drop-in guidance",
		"feed.name.theme":        "Drop-in guidance: %s",
		"feed.description":       "Drop-in guidance at the library. Just come, no booking needed.",
		"feed.description.theme": "Drop-in guidance at the library on %s. Just come, no booking needed.",
		"session.untitled":       "Drop-in guidance",
	},
}

func msg(lang, key string) string {
	return texts[normLang(lang)][key]
}
