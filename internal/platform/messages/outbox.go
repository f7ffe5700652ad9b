package messages

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"log/slog"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/jobs"
	"golang.org/x/time/rate"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

//go:embed templates
var templateFS embed.FS

// DeliveriesPerSecond is the pace of delivery of one process.
const DeliveriesPerSecond = 200

// JobDeliver is the jobs kind that delivers one message.
const JobDeliver = "message.deliver"

// Recipient is who a message goes to.
type Recipient struct {
	UserID string // the account, when there is one
	Email  string
	Name   string
	Lang   string // "fr" (default) or "en"
}

// Event is a calendar event attached as .ics (convocations). The UID stays
// the same across updates of one session; Sequence grows with each change,
// so that calendars replace the event rather than add another.
type Event struct {
	UID         string
	Sequence    int
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	Cancel      bool // METHOD:CANCEL: the person is no longer expected
}

// Draft is a message asked for by an event.
type Draft struct {
	Kind string
	To   Recipient
	// Data is the kind's template data, available as .Data.
	Data map[string]any
	// Event, when set, is attached as an .ics file.
	Event *Event
	// DedupeKey, when set, makes the message once-only: a second draft
	// with the same key writes nothing.
	DedupeKey string
}

// Options configure an Outbox.
type Options struct {
	DB      *gorm.DB
	Now     func() time.Time
	Jobs    *jobs.Queue
	Log     *slog.Logger
	BaseURL string
	// SMTPURL is CQP_SMTP_URL; empty means messages are kept as
	// not_configured.
	SMTPURL string
	// From is CQP_MAIL_FROM; default "CQP Recouvrement <no-reply@HOST>".
	From string
	// Templates replaces the embedded templates (tests).
	Templates fs.FS
}

// Outbox writes messages and delivers them.
type Outbox struct {
	db      *gorm.DB
	now     func() time.Time
	jobs    *jobs.Queue
	log     *slog.Logger
	baseURL string
	from    string
	smtp    *SMTP
	pool    smtpPool
	// pace bounds deliveries a second in this process: a mail server
	// takes a few hundred a second, and sending faster only takes the
	// CPU the API needs (docs/performance.md, issue 12's measurement).
	pace *rate.Limiter
	tmpl *templates
}

// New builds the outbox and registers its delivery job on the queue.
func New(o Options) (*Outbox, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Templates == nil {
		sub, err := fs.Sub(templateFS, "templates")
		if err != nil {
			return nil, err
		}
		o.Templates = sub
	}
	t, err := parseTemplates(o.Templates)
	if err != nil {
		return nil, err
	}
	out := &Outbox{db: o.DB, now: o.Now, jobs: o.Jobs, log: o.Log, baseURL: strings.TrimRight(o.BaseURL, "/"), tmpl: t,
		pace: rate.NewLimiter(DeliveriesPerSecond, 20)}
	if o.SMTPURL != "" {
		s, err := ParseSMTPURL(o.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("CQP_SMTP_URL: %w", err)
		}
		out.smtp = &s
	}
	out.from = o.From
	if out.from == "" {
		host := strings.TrimPrefix(strings.TrimPrefix(out.baseURL, "https://"), "http://")
		if i := strings.IndexAny(host, ":/"); i >= 0 {
			host = host[:i]
		}
		if !strings.Contains(host, ".") {
			host += ".localdomain"
		}
		out.from = "CQP Recouvrement <no-reply@" + host + ">"
	}
	if _, err := parseFrom(out.from); err != nil {
		return nil, fmt.Errorf("CQP_MAIL_FROM: %w", err)
	}
	o.Jobs.Handle(JobDeliver, out.Deliver, jobs.HandlerOptions{Lease: 2 * time.Minute, MaxAttempts: 8})
	return out, nil
}

// Configured tells whether an SMTP server is set.
func (o *Outbox) Configured() bool { return o.smtp != nil }

// Enqueue renders d and writes it in tx, the transaction of the event that
// causes it, with its delivery job: the message exists if and only if the
// event commits. created is false when d.DedupeKey was used before.
func (o *Outbox) Enqueue(tx *gorm.DB, d Draft) (Message, bool, error) {
	lang := d.To.Lang
	if lang != "en" {
		lang = "fr"
	}
	email := strings.TrimSpace(d.To.Email)
	if email == "" {
		return Message{}, false, fmt.Errorf("message %s: no address", d.Kind)
	}
	r, err := o.render(d.Kind, lang, view{Name: d.To.Name, Data: d.Data, BaseURL: o.baseURL, Lang: lang})
	if err != nil {
		return Message{}, false, err
	}
	now := o.now().UTC()
	m := Message{ID: database.NewID(), To: email, ToName: d.To.Name, Kind: d.Kind, Lang: lang,
		Subject: r.subject, TextBody: r.text, HTMLBody: r.html, Status: StatusPending, CreatedAt: now, UpdatedAt: now}
	if d.To.UserID != "" {
		m.UserID = &d.To.UserID
	}
	if d.Event != nil {
		m.Calendar = ICS(*d.Event, o.from, email, d.To.Name, now)
	}
	if o.smtp == nil {
		m.Status = StatusNotConfigured
	}
	if d.DedupeKey != "" {
		m.DedupeKey = &d.DedupeKey
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&m)
		if res.Error != nil {
			return Message{}, false, fmt.Errorf("message %s: %w", d.Kind, res.Error)
		}
		if res.RowsAffected == 0 {
			return Message{}, false, nil
		}
	} else if err := tx.Create(&m).Error; err != nil {
		return Message{}, false, fmt.Errorf("message %s: %w", d.Kind, err)
	}
	if o.smtp != nil {
		if _, err := o.jobs.Enqueue(tx, jobs.NewJob{Kind: JobDeliver, Payload: deliverPayload{ID: m.ID}}); err != nil {
			return Message{}, false, err
		}
	}
	return m, true, nil
}

type deliverPayload struct {
	ID string `json:"id"`
}

// view is what a template sees.
type view struct {
	Name    string
	Data    map[string]any
	BaseURL string
	Lang    string
}

type rendered struct{ subject, text, html string }

// templates holds, per kind and language, the text and HTML versions.
type templates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

func funcs(lang string) map[string]any {
	return map[string]any{
		"date": func(v any) string { return FormatDate(lang, v) },
		"time": func(t time.Time) string { return FormatTime(lang, t) },
		"role": func(r string) string {
			names := map[string][2]string{"admin": {"administrateur", "administrator"}, "trainer": {"formateur", "trainer"},
				"jury": {"membre de jury", "jury member"}, "candidate": {"candidat", "candidate"},
				"support": {"accompagnateur VAE", "VAE support person"}}
			if n, ok := names[r]; ok {
				if lang == "en" {
					return n[1]
				}
				return n[0]
			}
			return r
		},
		"plural": func(n int, one, many string) string {
			if n == 1 || (lang == "fr" && n == 0) {
				return one
			}
			return many
		},
	}
}

func parseTemplates(fsys fs.FS) (*templates, error) {
	t := &templates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	layout, err := fs.ReadFile(fsys, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("message templates: %w", err)
	}
	names, err := fs.Glob(fsys, "*.tmpl")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		key := strings.TrimSuffix(name, ".tmpl") // kind.lang
		lang := key[strings.LastIndex(key, ".")+1:]
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		// url is bound at render time (the base URL); a placeholder lets
		// the templates parse.
		fm := funcs(lang)
		fm["url"] = func(string) string { return "" }
		tt, err := texttemplate.New(key).Funcs(fm).Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("message template %s: %w", name, err)
		}
		ht, err := htmltemplate.New("layout").Funcs(fm).Parse(string(layout))
		if err != nil {
			return nil, fmt.Errorf("message layout: %w", err)
		}
		if ht, err = ht.Parse(string(src)); err != nil {
			return nil, fmt.Errorf("message template %s: %w", name, err)
		}
		for _, part := range []string{"subject", "text", "html"} {
			if tt.Lookup(part) == nil {
				return nil, fmt.Errorf("message template %s: no {{define %q}}", name, part)
			}
		}
		t.text[key], t.html[key] = tt, ht
	}
	return t, nil
}

// HasTemplate tells whether kind has a template in lang.
func (o *Outbox) HasTemplate(kind, lang string) bool {
	_, ok := o.tmpl.text[kind+"."+lang]
	return ok
}

func (o *Outbox) render(kind, lang string, v view) (rendered, error) {
	key := kind + "." + lang
	tt, ok := o.tmpl.text[key]
	if !ok {
		return rendered{}, fmt.Errorf("message %s: no template for %s", kind, lang)
	}
	ht := o.tmpl.html[key]
	abs := func(p string) string {
		if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
			return p
		}
		return o.baseURL + "/" + strings.TrimLeft(p, "/")
	}
	tt, err := tt.Clone()
	if err != nil {
		return rendered{}, err
	}
	tt.Funcs(map[string]any{"url": abs})
	hc, err := ht.Clone()
	if err != nil {
		return rendered{}, err
	}
	hc.Funcs(map[string]any{"url": abs})
	var subj, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subj, "subject", v); err != nil {
		return rendered{}, fmt.Errorf("message %s subject: %w", key, err)
	}
	if err := tt.ExecuteTemplate(&text, "text", v); err != nil {
		return rendered{}, fmt.Errorf("message %s text: %w", key, err)
	}
	if err := hc.ExecuteTemplate(&html, "layout", v); err != nil {
		return rendered{}, fmt.Errorf("message %s html: %w", key, err)
	}
	// Line breaks and runs of spaces become one space; non-breaking spaces
	// (French typography, "5 décembre") stay.
	s := strings.Join(strings.FieldsFunc(subj.String(), func(r rune) bool {
		return r == ' ' || r == '\n' || r == '\r' || r == '\t'
	}), " ")
	body, page := strings.TrimSpace(text.String())+"\n", html.Bytes()
	if lang != "en" {
		s, body, page = civil.FrenchSpaces(s), civil.FrenchSpaces(body), civil.FrenchSpacesHTML(page)
	}
	return rendered{subject: s, text: body, html: string(page)}, nil
}

// Paris is the time zone of the sessions and of the messages' dates.
var Paris = civil.Paris

// FormatDate writes a civil.Date, a *civil.Date or a time.Time (read in
// Paris) the way a letter does: "1er décembre 2026", "December 1, 2026".
func FormatDate(lang string, v any) string {
	var d civil.Date
	switch x := v.(type) {
	case civil.Date:
		d = x
	case *civil.Date:
		if x == nil {
			return "—"
		}
		d = *x
	case time.Time:
		d = civil.Of(x.In(Paris))
	case string:
		p, err := civil.Parse(x)
		if err != nil {
			return x
		}
		d = p
	default:
		return fmt.Sprint(v)
	}
	if d.IsZero() {
		return "—"
	}
	if lang == "en" {
		return d.English()
	}
	// A letter keeps the day with its month: a non-breaking space.
	return strings.Replace(d.French(), " ", "\u00a0", 1)
}

// FormatTime writes a time of day in Paris: "14 h 30", "2:30 pm".
func FormatTime(lang string, t time.Time) string {
	t = t.In(Paris)
	if lang == "en" {
		return t.Format("3:04 pm")
	}
	if t.Minute() == 0 {
		return fmt.Sprintf("%d\u00a0h", t.Hour())
	}
	return fmt.Sprintf("%d\u00a0h\u00a0%02d", t.Hour(), t.Minute())
}
