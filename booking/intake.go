package booking

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The library's own questions on the booking form (intake questions). A
// service or a topic may have up to MaxQuestions; a topic's own replace
// its service's. Where neither has any, the form asks the default
// questions, study programme and level, which live in the booking's own
// Programme and StudyLevel fields.

// QuestionKind is how a question is answered.
type QuestionKind string

const (
	QuestionText     QuestionKind = "text"     // one line
	QuestionLongText QuestionKind = "longtext" // a few paragraphs
	QuestionChoice   QuestionKind = "choice"   // one of Options
	QuestionYesNo    QuestionKind = "yesno"
)

// QuestionKinds are the kinds in the order the admin form offers them.
var QuestionKinds = []QuestionKind{QuestionText, QuestionLongText, QuestionChoice, QuestionYesNo}

// Limits of the questions and their answers.
const (
	MaxQuestions        = 10
	MaxQuestionLabelLen = 200
	MaxOptions          = 20
	MaxOptionLen        = 100
	MaxShortAnswerLen   = 200
	MaxLongAnswerLen    = 2000
)

// Option is one answer of a choice question, in both languages.
type Option struct{ NB, EN string }

// Text is the option in lang, as InLang picks.
func (o Option) Text(lang string) string { return InLang(lang, o.NB, o.EN) }

// Question is one of the library's questions to a student who books.
type Question struct {
	ID int64
	// ServiceID or TopicID (one of them) is what the question belongs to.
	ServiceID, TopicID int64
	Position           int // 1-based order on the form
	Kind               QuestionKind
	Required           bool
	LabelNB, LabelEN   string
	Options            []Option // QuestionChoice only
}

// Label is the question in lang, as InLang picks.
func (q Question) Label(lang string) string { return InLang(lang, q.LabelNB, q.LabelEN) }

// Field is the question's form field and FieldError field: "q" and its ID.
func (q Question) Field() string { return "q" + strconv.FormatInt(q.ID, 10) }

// ParseQuestionKind accepts a kind's name in any case.
func ParseQuestionKind(s string) (QuestionKind, error) {
	k := QuestionKind(strings.ToLower(strings.TrimSpace(s)))
	for _, v := range QuestionKinds {
		if k == v {
			return k, nil
		}
	}
	return "", &FieldError{"kind", "invalid"}
}

// ParseOptions reads a choice's options as an admin types them: one a
// line, "Norsk | English" (the English part may be left out). Empty lines
// are skipped.
func ParseOptions(s string) []Option {
	var out []Option
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		nb, en, _ := strings.Cut(line, "|")
		o := Option{NB: strings.TrimSpace(nb), EN: strings.TrimSpace(en)}
		if o.NB == "" && o.EN == "" {
			continue
		}
		out = append(out, o)
	}
	return out
}

// FormatOptions is ParseOptions' inverse.
func FormatOptions(opts []Option) string {
	lines := make([]string, 0, len(opts))
	for _, o := range opts {
		if o.EN == "" {
			lines = append(lines, o.NB)
		} else {
			lines = append(lines, o.NB+" | "+o.EN)
		}
	}
	return strings.Join(lines, "\n")
}

// Validate checks a question as an admin defines it, trimming its texts;
// a *FieldError for "label", "kind" or "options" otherwise.
func (q *Question) Validate() error {
	q.LabelNB, q.LabelEN = strings.TrimSpace(q.LabelNB), strings.TrimSpace(q.LabelEN)
	k, err := ParseQuestionKind(string(q.Kind))
	if err != nil {
		return err
	}
	q.Kind = k
	switch {
	case q.LabelNB == "" && q.LabelEN == "":
		return &FieldError{"label", "required"}
	case utf8.RuneCountInString(q.LabelNB) > MaxQuestionLabelLen || utf8.RuneCountInString(q.LabelEN) > MaxQuestionLabelLen:
		return &FieldError{"label", "too_long"}
	case !validLine(q.LabelNB) || !validLine(q.LabelEN):
		return &FieldError{"label", "invalid"}
	}
	if q.Kind != QuestionChoice {
		q.Options = nil
		return nil
	}
	switch {
	case len(q.Options) < 2:
		return &FieldError{"options", "required"}
	case len(q.Options) > MaxOptions:
		return &FieldError{"options", "too_many"}
	}
	for i, o := range q.Options {
		o.NB, o.EN = strings.TrimSpace(o.NB), strings.TrimSpace(o.EN)
		if o.NB == "" {
			o.NB, o.EN = o.EN, ""
		}
		if utf8.RuneCountInString(o.NB) > MaxOptionLen || utf8.RuneCountInString(o.EN) > MaxOptionLen ||
			!validLine(o.NB) || !validLine(o.EN) || strings.Contains(o.NB+o.EN, "|") {
			return &FieldError{"options", "invalid"}
		}
		q.Options[i] = o
	}
	return nil
}

// validLine is validText on one line.
func validLine(s string) bool { return validText(s) && !strings.ContainsAny(s, "\r\n\t") }

// Answer is a student's answer to one question, stored with the booking
// together with the question as it was asked, so that a question changed
// or removed later leaves the booking as the student saw it.
type Answer struct {
	QuestionID       int64
	Position         int
	Kind             QuestionKind
	LabelNB, LabelEN string
	// Value is the answer; for a choice or yes/no question it is the
	// Norwegian text of the option and ValueEN the English one.
	Value, ValueEN string
}

// Label is the question in lang, as InLang picks.
func (a Answer) Label(lang string) string { return InLang(lang, a.LabelNB, a.LabelEN) }

// Text is the answer in lang, as InLang picks.
func (a Answer) Text(lang string) string { return InLang(lang, a.Value, a.ValueEN) }

// yes and no are the yes/no answers in Norwegian and English; they are
// stored as texts like a choice's options.
var yes, no = Option{"Ja", "Yes"}, Option{"Nei", "No"}

// Answers checks the student's raw answers (form or API values by
// question ID) against the questions, in the questions' order, and
// returns what is stored: an unanswered optional question is left out. A
// choice is answered with its option's 1-based number or its text in
// either language; yes/no with "yes"/"no" (also "ja"/"nei", "true"/"false").
// The error is a *FieldError whose field is the question's Field, with
// "required", "too_long" or "invalid".
func Answers(qs []Question, raw map[int64]string) ([]Answer, error) {
	var out []Answer
	for _, q := range qs {
		v := strings.TrimSpace(raw[q.ID])
		if q.Kind != QuestionLongText {
			v = strings.Join(strings.Fields(v), " ")
		}
		if v == "" {
			if q.Required {
				return nil, &FieldError{q.Field(), "required"}
			}
			continue
		}
		a := Answer{QuestionID: q.ID, Position: q.Position, Kind: q.Kind, LabelNB: q.LabelNB, LabelEN: q.LabelEN, Value: v}
		switch q.Kind {
		case QuestionText, QuestionLongText:
			limit := MaxShortAnswerLen
			if q.Kind == QuestionLongText {
				limit = MaxLongAnswerLen
			}
			if utf8.RuneCountInString(v) > limit {
				return nil, &FieldError{q.Field(), "too_long"}
			}
			if !validText(v) {
				return nil, &FieldError{q.Field(), "invalid"}
			}
		case QuestionChoice:
			o, ok := pickOption(q.Options, v)
			if !ok {
				return nil, &FieldError{q.Field(), "invalid"}
			}
			a.Value, a.ValueEN = o.NB, o.EN
		case QuestionYesNo:
			var o Option
			switch strings.ToLower(v) {
			case "yes", "ja", "true", "1":
				o = yes
			case "no", "nei", "false", "0":
				o = no
			default:
				return nil, &FieldError{q.Field(), "invalid"}
			}
			a.Value, a.ValueEN = o.NB, o.EN
		default:
			return nil, fmt.Errorf("question %d of kind %q: %w", q.ID, q.Kind, ErrInvalid)
		}
		out = append(out, a)
	}
	return out, nil
}

// pickOption finds the option a value names: its 1-based number, or its
// text in either language, in any case.
func pickOption(opts []Option, v string) (Option, bool) {
	if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(opts) {
		return opts[n-1], true
	}
	for _, o := range opts {
		if strings.EqualFold(o.NB, v) || o.EN != "" && strings.EqualFold(o.EN, v) {
			return o, true
		}
	}
	return Option{}, false
}

// AskedQuestions are the questions the form for a topic asks: the
// topic's own, else its service's; none means the default questions.
func AskedQuestions(topicQs, serviceQs []Question) []Question {
	if len(topicQs) > 0 {
		return topicQs
	}
	return serviceQs
}
