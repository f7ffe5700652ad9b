package webui

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/money"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/web"
	"github.com/labstack/echo/v4"
)

// views are the parsed pages: each page file of templates/pages/ joined to
// the layout and the partials, parsed once at start.
type views struct {
	pages map[string]*template.Template
	// assetV changes when the CSS or the scripts change, so that browsers
	// may cache /static/ for a year and still get a new file at once.
	assetV string
}

var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i + 1
		}
		return s
	},
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"has": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	"deref": func(b *bool) bool { return b != nil && *b },
	"derefF": func(f *float64) float64 {
		if f == nil {
			return 0
		}
		return *f
	},
	"derefT": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
	"join":  strings.Join,
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"first": func(s string) string {
		for _, r := range s {
			return string(r)
		}
		return ""
	},
	"paras": func(s string) []string {
		var out []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	},
	"lines": func(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") },
}

func loadViews() (*views, error) {
	base := template.New("").Funcs(funcs)
	if _, err := base.ParseFS(web.FS, "templates/layout.html", "templates/partials/*.html"); err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	v := &views{pages: map[string]*template.Template{}}
	err := fs.WalkDir(web.FS, "templates/pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		src, err := fs.ReadFile(web.FS, p)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")
		if _, err := t.New(path.Base(p)).Parse(string(src)); err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		v.pages[name] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load templates: %w", err)
	}
	h := sha256.New()
	for _, f := range []string{"static/app.css", "static/app.js", "static/htmx.min.js"} {
		b, err := fs.ReadFile(web.FS, f)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", f, err)
		}
		h.Write(b)
	}
	v.assetV = hex.EncodeToString(h.Sum(nil))[:12]
	return v, nil
}

// page is what every template receives: the request's language, user, CSRF
// token and flash, the form as typed with its errors, and the page's data.
type page struct {
	Lang   string
	User   *auth.User
	CSRF   string
	Path   string
	Query  url.Values
	Title  string
	Flash  string
	AssetV string
	Today  civil.Date
	HX     bool // an htmx request: fragments only

	// Form is what the user typed, re-shown after an error; Errors maps a
	// form field to its message; FormError is the message above the form.
	Form      url.Values
	Errors    map[string]string
	FormError string

	Data any
}

// T is a catalogue entry in the page's language.
func (p *page) T(key string, args ...any) string { return translate(p.Lang, key, args...) }

// L picks the French or the English of a one-off sentence.
func (p *page) L(fr, en string) string {
	if p.Lang == "en" {
		return en
	}
	return fr
}

// Date, Instant, Money and Num format values in the page's language.
func (p *page) Date(d civil.Date) string   { return formatDate(p.Lang, d) }
func (p *page) Instant(t time.Time) string { return formatInstant(p.Lang, t) }

// InstantPtr is Instant for an optional instant ("" when nil).
func (p *page) InstantPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formatInstant(p.Lang, *t)
}
func (p *page) Money(c money.Cents) string { return formatMoney(p.Lang, c) }
func (p *page) Num(x float64) string       { return formatNumber(p.Lang, x) }
func (p *page) Pct(x float64) string {
	return formatNumber(p.Lang, float64(int(x*10+0.5))/10) + "\u00a0%"
}

// Rate writes a share (0 to 1) as a percentage; nil, where nobody was
// presented, is "—", never 0 %.
func (p *page) Rate(r *float64) string {
	if r == nil {
		return "—"
	}
	return p.Pct(*r * 100)
}

// DateOf writes the civil date of an instant (UTC), without its time.
func (p *page) DateOf(t time.Time) string { return formatDate(p.Lang, civil.Of(t)) }

func (p *page) DatePtr(d *civil.Date) string {
	if d == nil {
		return "—"
	}
	return formatDate(p.Lang, *d)
}

// Val is the typed value of a field (for re-showing a form), or def.
func (p *page) Val(field string, def ...string) string {
	if p.Form != nil {
		if v, ok := p.Form[field]; ok && len(v) > 0 {
			return v[0]
		}
	}
	if len(def) > 0 {
		return def[0]
	}
	return ""
}

// Err is a field's error message, "" when it has none.
func (p *page) Err(field string) string { return p.Errors[field] }

// Role tells whether the user has one of the roles.
func (p *page) Role(roles ...string) bool { return p.User != nil && p.User.Is(roles...) }

// Active marks the navigation entry of the current section.
func (p *page) Active(prefix string) bool {
	if prefix == "/admin" {
		return p.Path == "/admin"
	}
	return p.Path == prefix || strings.HasPrefix(p.Path, prefix+"/")
}

// LangURL switches language and comes back to the same page.
func (p *page) LangURL() string {
	to := "en"
	if p.Lang == "en" {
		to = "fr"
	}
	next := p.Path
	q := url.Values{}
	for k, v := range p.Query {
		if k != "lang" {
			q[k] = v
		}
	}
	if q := q.Encode(); q != "" {
		next += "?" + q
	}
	return "/lang/" + to + "?next=" + url.QueryEscape(next)
}

// newPage starts the data of a page for this request.
func (ui *UI) newPage(c echo.Context, titleFR, titleEN string) *page {
	lang := httpx.Lang(c)
	p := &page{
		Lang: lang, Path: c.Request().URL.Path, Query: c.QueryParams(), CSRF: csrfToken(c),
		AssetV: ui.views.assetV, Today: civil.Of(ui.Now().In(civil.Paris)),
		HX: c.Request().Header.Get("HX-Request") == "true",
	}
	p.Title = p.L(titleFR, titleEN)
	if u, ok := auth.UserFrom(c); ok {
		p.User = &u
	}
	if !p.HX {
		p.Flash = takeFlash(c)
	}
	return p
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes a page (its "layout", or one named block for htmx) and
// writes it with status.
func (ui *UI) render(c echo.Context, status int, name string, p *page) error {
	return ui.renderBlock(c, status, name, "layout", p)
}

// renderBlock executes one template of a page, e.g. a fragment htmx swaps in.
func (ui *UI) renderBlock(c echo.Context, status int, name, block string, p *page) error {
	t, ok := ui.views.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := t.ExecuteTemplate(buf, block, p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.Lang)
	h.Add("Vary", "Cookie, HX-Request")
	c.Response().WriteHeader(status)
	page := buf.Bytes()
	if p.Lang != "en" {
		page = civil.FrenchSpacesHTML(page)
	}
	_, err := c.Response().Write(page)
	return err
}

// redirect answers a form: 303 to target, with a message shown there.
// htmx requests get HX-Redirect, so that the whole page changes.
func (ui *UI) redirect(c echo.Context, target, flashMsg string) error {
	if flashMsg != "" {
		setFlash(c, ui.Cfg.SecureCookie, flashMsg)
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", target)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, target)
}
