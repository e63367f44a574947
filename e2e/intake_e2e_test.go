package e2e_test

// The booking form's questions and what comes after the meeting, in the
// browser, in Norwegian (without JavaScript) and English, on a phone and
// a desktop, axe-clean: the general topic asks what the student needs
// first and will not book without it; the library's own questions, set
// on the admin page, are on the form and in the librarian's event over
// CalDAV; the follow-up's rating link reaches the statistics.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	goical "github.com/emersion/go-ical"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/web"
)

// e2eSizes are the phone and the desktop the pages must fit.
var e2eSizes = []struct {
	name string
	w, h int64
}{{"phone", 390, 844}, {"desktop", 1280, 800}}

// e2eRuns are the students of these tests. The pages have no script of
// their own (the CSP allows none); the tabs run JavaScript for axe-core.
var e2eRuns = []struct {
	lang, acceptLanguage string
	noJS                 bool
}{{"nb", "nb-NO,nb;q=0.9", false}, {"en", "en-GB,en;q=0.9", false}}

// e2eFillStudent types the name and e-mail, picks the meeting language
// when there is a choice, and consents.
func e2eFillStudent(t *testing.T, tab context.Context, lang, name, email string) {
	t.Helper()
	e2eValue(t, tab, "clear name and e-mail", chromedp.Evaluate[bool](`document.getElementById('name').value = ''; document.getElementById('email').value = ''; true`))
	e2eStep(t, tab, "name and e-mail", chromedp.SendKeys(chromedp.ID("name"), name), chromedp.SendKeys(chromedp.ID("email"), email))
	if radios := e2eValue(t, tab, "language choices", chromedp.Nodes(chromedp.CSSAll(`input[name="language"][type="radio"]`), chromedp.AtLeast(0))); len(radios) > 0 {
		e2eStep(t, tab, "meeting language", chromedp.Click(chromedp.ID("language-"+lang)))
	}
	if checked := e2eValue(t, tab, "consent", chromedp.Evaluate[bool](`document.getElementById('consent').checked`)); !checked {
		e2eStep(t, tab, "consent", chromedp.Click(chromedp.ID("consent")))
	}
}

const e2eSubmit = `form[method="post"] button[type="submit"]`

func TestE2EGeneralTopic(t *testing.T) {
	axeJS := axeScript(t)
	browser := e2eBrowser(t)
	site := startE2ESite(t, store.SQLite)
	n := 0
	for _, run := range e2eRuns {
		for _, size := range e2eSizes {
			t.Run(run.lang+" "+size.name, func(t *testing.T) {
				n++
				tab := e2eTab(t, browser, run.acceptLanguage, run.noJS)
				e2eStep(t, tab, "window size", chromedp.EmulateViewport(size.w, size.h))
				e2eNavigate(t, tab, "the general topic", http.StatusOK, chromedp.Navigate(site.base+"/topics/generell"))
				e2ePageLang(t, tab, run.lang)
				if got, want := staffText(t, tab, "h1"), web.T(run.lang, "topic.general.title"); got != want {
					t.Errorf("slot list: got heading %q, want %q", got, want)
				}
				axeCheck(t, tab, axeJS, run.lang+" "+size.name+" /topics/generell")
				e2eNavigate(t, tab, "pick a time", http.StatusOK, chromedp.Click(chromedp.CSS("a.slot")))
				// What they need comes first, under its heading, required.
				first := e2eValue(t, tab, "first field", chromedp.Evaluate[string](`document.querySelector('form[method="post"] textarea, form[method="post"] input:not([type="hidden"])').id`))
				if first != "question" {
					t.Errorf("first field of the form: %q, want question", first)
				}
				if got, want := staffText(t, tab, `label[for="question"]`), web.T(run.lang, "field.question.general"); got != want {
					t.Errorf("question label %q, want %q", got, want)
				}
				if got, want := staffText(t, tab, "form h2"), web.T(run.lang, "book.general.need"); got != want {
					t.Errorf("form heading %q, want %q", got, want)
				}
				axeCheck(t, tab, axeJS, run.lang+" "+size.name+" general form")
				name, email := fmt.Sprintf("Gina Generell %d", n), fmt.Sprintf("gina.generell.%d@uio.example.no", n)
				e2eFillStudent(t, tab, run.lang, name, email)
				e2eNavigate(t, tab, "book without saying what", http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(e2eSubmit)))
				if got := staffText(t, tab, ".error-summary a[href=\"#question\"]"); !strings.HasPrefix(got, web.T(run.lang, "field.question.required")) {
					t.Errorf("error summary: %q", got)
				}
				if got := e2eValue(t, tab, "name kept", chromedp.Evaluate[string](`document.getElementById('name').value`)); got != name {
					t.Errorf("the form lost the name: %q", got)
				}
				axeCheck(t, tab, axeJS, run.lang+" "+size.name+" general form with errors")
				e2eScreenshot(t, tab, "general-"+run.lang+"-"+size.name+"-error.png")
				need := "Jeg skal skrive bacheloroppgave om klimatilpasning og vet ikke hvor jeg skal søke."
				e2eStep(t, tab, "say what", chromedp.SendKeys(chromedp.ID("question"), need))
				e2eFillStudent(t, tab, run.lang, name, email)
				e2eNavigate(t, tab, "book", http.StatusOK, chromedp.Click(chromedp.CSS(e2eSubmit)))
				if got := staffText(t, tab, "dd.question"); got != need {
					t.Errorf("confirmation shows the question %q, want %q", got, need)
				}
				if got := staffText(t, tab, ".notice.success"); !strings.Contains(got, strings.SplitN(web.T(run.lang, "booking.general.new"), "%s", 2)[0]) {
					t.Errorf("confirmation does not say the librarian has it: %q", got)
				}
				axeCheck(t, tab, axeJS, run.lang+" "+size.name+" general confirmation")
				e2eScreenshot(t, tab, "general-"+run.lang+"-"+size.name+".png")
			})
		}
	}
}

func TestE2EIntakeQuestions(t *testing.T) {
	axeJS := axeScript(t)
	browser := e2eBrowser(t)
	site := startE2ESite(t, store.SQLite)
	ctx := context.Background()
	topic, err := site.app.Store.TopicBySlug(ctx, e2eTopic)
	if err != nil {
		t.Fatal(err)
	}

	// The admin sets the service's questions on its page.
	admin := e2eTab(t, browser, staffAcceptLanguage["en"], false)
	site.staffSignIn(t, admin, "admin")
	e2eNavigate(t, admin, "the service page", http.StatusOK, chromedp.Navigate(site.base+"/admin/services/"+topic.ServiceSlug))
	axeCheck(t, admin, axeJS, "en /admin/services without questions")
	for _, q := range []struct{ kind, nb, en, options string }{
		{"choice", "Fakultet", "Faculty", "Jus | Law\nMedisin | Medicine"},
		{"text", "Emnekode", "Course code", ""},
		{"yesno", "Skriver du masteroppgave?", "Are you writing a thesis?", ""},
	} {
		e2eStep(t, admin, "question "+q.en,
			chromedp.SendKeys(chromedp.ID("label_nb"), q.nb), chromedp.SendKeys(chromedp.ID("label_en"), q.en),
			chromedp.SetValue(chromedp.ID("kind"), q.kind))
		if q.options != "" {
			e2eStep(t, admin, "options", chromedp.SetValue(chromedp.ID("options"), q.options))
		}
		if q.kind != "text" {
			e2eStep(t, admin, "required", chromedp.Click(chromedp.ID("required")))
		}
		e2eNavigate(t, admin, "add "+q.en, http.StatusOK, chromedp.Click(chromedp.CSS(`section form[action$="/questions"] button[type="submit"]`)))
	}
	if got := staffText(t, admin, "ol.questions"); !strings.Contains(got, "Faculty") || !strings.Contains(got, "Course code") {
		t.Fatalf("service page lists %q", got)
	}
	for _, size := range e2eSizes {
		e2eStep(t, admin, "window size", chromedp.EmulateViewport(size.w, size.h))
		e2eNavigate(t, admin, "the service page", http.StatusOK, chromedp.Navigate(site.base+"/admin/services/"+topic.ServiceSlug))
		axeCheck(t, admin, axeJS, "en "+size.name+" /admin/services with questions")
		e2eScreenshot(t, admin, "admin-questions-"+size.name+".png")
		e2eNavigate(t, admin, "a question", http.StatusOK, chromedp.Click(chromedp.CSS(`ol.questions a[href^="/admin/questions/"]`)))
		axeCheck(t, admin, axeJS, "en "+size.name+" /admin/questions/:id")
	}
	qs, err := site.app.Store.AskedQuestions(ctx, topic)
	if err != nil || len(qs) != 3 {
		t.Fatalf("questions: %+v, %v", qs, err)
	}

	n := 0
	for _, run := range e2eRuns {
		for _, size := range e2eSizes {
			t.Run(run.lang+" "+size.name, func(t *testing.T) {
				n++
				tab := e2eTab(t, browser, run.acceptLanguage, run.noJS)
				e2eStep(t, tab, "window size", chromedp.EmulateViewport(size.w, size.h))
				e2eNavigate(t, tab, "the topic", http.StatusOK, chromedp.Navigate(site.base+"/topics/"+e2eTopic))
				e2eNavigate(t, tab, "pick a time", http.StatusOK, chromedp.Click(chromedp.CSS("a.slot")))
				label := e2eValue(t, tab, "first question", chromedp.Text(chromedp.CSS(`label[for="`+qs[0].Field()+`"]`)))
				if want := qs[0].Label(run.lang); label != want {
					t.Errorf("question label %q, want %q", label, want)
				}
				if n := len(e2eValue(t, tab, "default questions", chromedp.Nodes(chromedp.CSSAll("#programme, #level"), chromedp.AtLeast(0)))); n != 0 {
					t.Errorf("the form still asks the default questions")
				}
				name, email := fmt.Sprintf("Ivar Intake %d", n), fmt.Sprintf("ivar.intake.%d@uio.example.no", n)
				course := fmt.Sprintf("MED%d500", n)
				e2eFillStudent(t, tab, run.lang, name, email)
				e2eStep(t, tab, "the course code", chromedp.SendKeys(chromedp.ID(qs[1].Field()), course))
				e2eNavigate(t, tab, "book without the required answers", http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(e2eSubmit)))
				summary := staffText(t, tab, ".error-summary")
				for _, q := range []booking.Question{qs[0], qs[2]} {
					if !strings.Contains(summary, q.Label(run.lang)) {
						t.Errorf("error summary %q does not name %q", summary, q.Label(run.lang))
					}
				}
				if got := e2eValue(t, tab, "course kept", chromedp.Evaluate[string](`document.getElementById('`+qs[1].Field()+`').value`)); got != course {
					t.Errorf("the form lost the course code: %q", got)
				}
				axeCheck(t, tab, axeJS, run.lang+" "+size.name+" form with questions and errors")
				e2eScreenshot(t, tab, "intake-"+run.lang+"-"+size.name+"-error.png")
				e2eStep(t, tab, "answer",
					chromedp.SetValue(chromedp.ID(qs[0].Field()), "2"),
					chromedp.Click(chromedp.ID(qs[2].Field()+"-yes")))
				e2eFillStudent(t, tab, run.lang, name, email)
				e2eNavigate(t, tab, "book", http.StatusOK, chromedp.Click(chromedp.CSS(e2eSubmit)))
				loc := e2eValue(t, tab, "confirmation", chromedp.Location())
				path, _, _ := strings.Cut(strings.TrimPrefix(loc, site.base), "?")
				b := site.e2eBooking(t, strings.TrimPrefix(path, "/booking/"))
				if len(b.Answers) != 3 || b.Answers[0].Value != "Medisin" || b.Answers[1].Value != course || b.Answers[2].Value != "Ja" {
					t.Errorf("stored answers: %+v", b.Answers)
				}

				// The librarian's event, fetched over CalDAV as their app does.
				librarian, err := site.app.Store.UserByID(ctx, b.LibrarianID)
				if err != nil {
					t.Fatal(err)
				}
				dctx, cancel := context.WithTimeout(ctx, e2eStepTimeout)
				defer cancel()
				c := site.librarianClient(t, librarian.Username)
				objs := e2eBookingEvents(t, dctx, c, e2eBookingsCalendar(t, dctx, c, librarian.Username), email)
				if len(objs) != 1 {
					t.Fatalf("CalDAV: %d events for %s, want 1", len(objs), email)
				}
				obj, err := c.GetCalendarObject(dctx, objs[0].Path)
				if err != nil {
					t.Fatalf("CalDAV GET %s: %v", objs[0].Path, err)
				}
				desc, _ := obj.Data.Events()[0].Props.Text(goical.PropDescription)
				for _, want := range []string{"Fakultet: Medisin", "Emnekode: " + course, "Skriver du masteroppgave?: Ja"} {
					if !strings.Contains(desc, want) {
						t.Errorf("event DESCRIPTION lacks %q:\n%s", want, desc)
					}
				}
			})
		}
	}
}

func TestE2EFollowUpRating(t *testing.T) {
	axeJS := axeScript(t)
	browser := e2eBrowser(t)
	// The clock can be moved on past the meetings.
	var skew atomic.Int64
	site := startE2ESite(t, store.SQLite, func(c *app.Config) {
		now := c.Now
		c.Now = func() time.Time { return now().Add(time.Duration(skew.Load())) }
		c.Store.Now = c.Now
	})
	n := 0
	for _, run := range e2eRuns {
		for _, size := range e2eSizes {
			t.Run(run.lang+" "+size.name, func(t *testing.T) {
				n++
				skew.Store(0)
				tab := e2eTab(t, browser, run.acceptLanguage, run.noJS)
				e2eStep(t, tab, "window size", chromedp.EmulateViewport(size.w, size.h))
				got := site.bookSlot(t, tab, e2eStudent{lang: run.lang, name: fmt.Sprintf("Rita Rating %d", n),
					email: fmt.Sprintf("rita.rating.%d@uio.example.no", n), question: "Søk i PubMed", programme: "Medisin", level: "master"})
				b := site.e2eBooking(t, got.token)
				skew.Store(int64(b.End.Sub(site.now()) + 3*time.Hour))
				if q, err := site.app.FollowUps.RunOnce(context.Background()); err != nil || q < 1 {
					t.Fatalf("follow-up job: %d, %v", q, err)
				}
				msgs, err := site.app.Store.OutboxOf(context.Background(), b.ID)
				if err != nil || msgs[len(msgs)-1].Kind != booking.MessageFollowUp {
					t.Fatalf("outbox of the booking: %+v, %v", msgs, err)
				}
				link := site.app.Scheduling.FeedbackURL(b) + "?rating=5"
				e2eNavigate(t, tab, "the e-mail's 5 link", http.StatusOK, chromedp.Navigate(link))
				if checked := e2eValue(t, tab, "5 chosen", chromedp.Evaluate[bool](`document.getElementById('rating-5').checked`)); !checked {
					t.Error("the link's rating is not chosen")
				}
				if _, err := site.app.Store.FeedbackOf(context.Background(), b.ID); err == nil {
					t.Fatal("opening the link rated the meeting")
				}
				axeCheck(t, tab, axeJS, run.lang+" "+size.name+" /feedback")
				e2eScreenshot(t, tab, "feedback-"+run.lang+"-"+size.name+".png")
				comment := fmt.Sprintf("Svært nyttig gjennomgang %d", n)
				e2eStep(t, tab, "comment", chromedp.SendKeys(chromedp.ID("comment"), comment))
				e2eNavigate(t, tab, "send", http.StatusOK, chromedp.Click(chromedp.CSS(e2eSubmit)))
				if got, want := staffText(t, tab, ".notice.success h1"), web.T(run.lang, "feedback.thanks"); got != want {
					t.Errorf("thanks: %q, want %q", got, want)
				}
				axeCheck(t, tab, axeJS, run.lang+" "+size.name+" /feedback thanks")

				// The librarian's link from their follow-up: held.
				e2eNavigate(t, tab, "the attendance link", http.StatusOK, chromedp.Navigate(site.app.Scheduling.AttendanceURL(b)))
				if got, want := staffText(t, tab, "h1"), web.T(run.lang, "attendance.title"); got != want {
					t.Errorf("attendance page: %q, want %q", got, want)
				}
				axeCheck(t, tab, axeJS, run.lang+" "+size.name+" /attendance")
				e2eNavigate(t, tab, "held", http.StatusOK, chromedp.Click(chromedp.CSS(`button[value="held"]`)))
				axeCheck(t, tab, axeJS, run.lang+" "+size.name+" /attendance done")
				if sb, err := site.app.Store.StaffBooking(context.Background(), b.ID); err != nil || !sb.Held {
					t.Errorf("after the link: held %v, %v", sb.Held, err)
				}
				// The librarian's bookings page shows the mark, with its undo.
				librarian, err := site.app.Store.UserByID(context.Background(), b.LibrarianID)
				if err != nil {
					t.Fatal(err)
				}
				lib := e2eTab(t, browser, staffAcceptLanguage[run.lang], false)
				e2eStep(t, lib, "window size", chromedp.EmulateViewport(size.w, size.h))
				site.staffSignIn(t, lib, librarian.Username)
				if got := staffText(t, lib, "form.attendance"); !strings.Contains(got, web.T(run.lang, "staff.status.held")) {
					t.Errorf("bookings page attendance: %q", got)
				}
				axeCheck(t, lib, axeJS, run.lang+" "+size.name+" /staff/bookings with a held meeting")
				e2eScreenshot(t, lib, "staff-bookings-"+run.lang+"-"+size.name+".png")

				// The statistics, in the admin's language.
				admin := e2eTab(t, browser, staffAcceptLanguage[run.lang], false)
				e2eStep(t, admin, "window size", chromedp.EmulateViewport(size.w, size.h))
				site.staffSignIn(t, admin, "admin")
				day := site.app.Scheduling.Location()
				from := site.now().Add(time.Duration(skew.Load())).In(day).Format(time.DateOnly)
				e2eNavigate(t, admin, "statistics", http.StatusOK, chromedp.Navigate(site.base+"/admin/stats?from="+from+"&to="+from))
				// Every run rates 5, so the average is 5 however many of
				// the runs' ratings fall on that day.
				cells := e2eValue(t, admin, "ratings by topic", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#stat-rating-topic ~ div table tbody tr:first-child > *')].map(c => c.textContent.trim())`))
				if len(cells) != 8 || cells[0] != e2eTopicName[run.lang] || cells[1] == "0" || cells[2] != map[string]string{"nb": "5,0", "en": "5.0"}[run.lang] || cells[3] != cells[1] {
					t.Errorf("ratings by topic: %q", cells)
				}
				if got := staffText(t, admin, "#stat-comments ~ div table tbody"); !strings.Contains(got, comment) || strings.Contains(got, "Rita") {
					t.Errorf("comments: %q", got)
				}
				axeCheck(t, admin, axeJS, run.lang+" "+size.name+" /admin/stats with ratings")
				e2eScreenshot(t, admin, "stats-ratings-"+run.lang+"-"+size.name+".png")
			})
		}
	}
}
