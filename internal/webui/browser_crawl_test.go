//go:build browser

package webui_test

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/platform/pdftext"
	"github.com/chromedp/chromedp"
)

// Every page each demo account can reach, at a desktop, a tablet and a
// phone width: axe-core finds nothing, nothing is wider than the screen,
// no table is cut on the desktop and the tablet (a jury member scores on
// one), and the French text, pages and PDFs alike, keeps French typography.
func TestBrowser_EveryPageIsAccessibleUncutAndTypeset(t *testing.T) {
	env := demoYearEnv(t)
	b := newTab(t, env)
	accounts := []struct{ email, password string }{
		{"", ""}, // the public: sign-in and certificate verification
		{"admin@demo.cqp.fr", "Admin-CQP-2026"},
		{"formatrice@demo.cqp.fr", "Formation-2026"},
		{"jury.pro1@demo.cqp.fr", "Jury-CQP-2026"},
		{"candidat@demo.cqp.fr", "Candidat-2026"},
		{"accompagnatrice@demo.cqp.fr", "Accompagnement-2026"},
	}
	seen := map[string]bool{}
	pages, pdfs := 0, 0
	for _, acc := range accounts {
		start := []string{"/login", "/verify"}
		if acc.email != "" {
			b.login(acc.email, acc.password)
			start = []string{b.path()}
		}
		queue := append([]string(nil), start...)
		var docs []string
		for len(queue) > 0 && pages < 400 {
			path := queue[0]
			queue = queue[1:]
			key := acc.email + " " + pattern(path)
			if seen[key] {
				continue
			}
			seen[key] = true
			b.open(path)
			if b.path() != path && seen[acc.email+" "+pattern(b.path())] {
				continue // redirected to a page already checked
			}
			pages++
			b.checkPage(acc.email, path)
			links := b.eval(`JSON.stringify([...document.querySelectorAll("a[href]")].map(a => a.getAttribute("href")))`)
			for _, href := range decodeList(t, links) {
				u, err := url.Parse(href)
				if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
					continue
				}
				switch {
				case strings.HasSuffix(u.Path, ".pdf") || strings.HasSuffix(u.Path, "/pdf"):
					docs = append(docs, u.Path)
				case crawlable(u.Path):
					next := u.Path
					if u.RawQuery != "" {
						next += "?" + u.RawQuery
					}
					queue = append(queue, next)
				}
			}
		}
		for _, d := range docs {
			if seen[acc.email+" "+pattern(d)] {
				continue
			}
			seen[acc.email+" "+pattern(d)] = true
			pdfs++
			b.checkPDF(d)
		}
		if acc.email != "" {
			b.open("/")
			b.submit("form[action='/logout'] button", "#f-email")
		}
	}
	t.Logf("%d pages at three widths and %d PDFs checked", pages, pdfs)
	if pages < 30 || pdfs < 3 {
		t.Errorf("the crawl reached only %d pages and %d PDFs", pages, pdfs)
	}
}

var crawlWidths = []struct {
	name string
	w, h int64
	// cut: tables must fit (no sideways scrolling) at this width.
	cut bool
}{{"1280", 1280, 900, true}, {"820", 820, 1180, true}, {"390", 390, 844, false}}

// checkPage runs the checks on the page open in the tab, at each width.
func (b *tab) checkPage(who, path string) {
	b.t.Helper()
	name := path
	if who != "" {
		name = who + " " + path
	}
	back := strings.HasPrefix(path, "/admin")
	for _, w := range crawlWidths {
		b.do(chromedp.EmulateViewport(w.w, w.h))
		b.axe(name + " at " + w.name + " px")
		// What sticks out: the innermost elements past the right edge
		// (inside a scrolling table box is fine).
		wide := b.eval(`document.documentElement.scrollWidth <= window.innerWidth + 1 ? "" : document.documentElement.scrollWidth + " px: " +
			[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 &&
				!(e.parentElement && e.parentElement.closest(".table-wrap")) && (e.matches(".table-wrap") || ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1)))
			.concat([...document.querySelectorAll("body *")].filter(e => e.scrollWidth > window.innerWidth + 1 && !(e.parentElement && e.parentElement.closest(".table-wrap")) && ![...e.children].some(c => c.scrollWidth > window.innerWidth + 1)))
			.slice(0, 4).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "") + " «" + (e.innerText || "").slice(0, 30) + "»").join(", ")`)
		if wide != "" {
			b.t.Errorf("%s at %s px: the page is wider than the screen, %s", name, w.name, wide)
		}
		// Tables must fit on a desktop everywhere, and on a tablet where
		// people work on one (jury, trainee, support); the back office's
		// registers may scroll sideways there.
		if w.cut && (w.w >= 1280 || !back) {
			cut := b.eval(`[...document.querySelectorAll(".table-wrap")].filter(e => e.scrollWidth > e.clientWidth + 1 && !e.closest("[data-wide]")).map(e => ((e.closest("section,article,.card") || e).querySelector("h2,h3")?.innerText || e.querySelector("th")?.innerText || "?") +
				" (" + e.scrollWidth + " px in " + e.clientWidth + ", widest cell «" + [...e.querySelectorAll("td,th")].sort((a, b) => b.offsetWidth - a.offsetWidth)[0]?.innerText.slice(0, 40) + "»)").join(" | ")`)
			if cut != "" {
				b.t.Errorf("%s at %s px: tables cut (scroll sideways): %s", name, w.name, cut)
			}
		}
	}
	if b.eval(`document.documentElement.lang`) == "fr" {
		text := b.eval(`(() => { const c = document.body.cloneNode(true); c.querySelectorAll("code,pre,textarea,script,style,.mono,[lang]:not([lang=fr])").forEach(e => e.remove()); return c.innerText; })()`)
		for _, p := range frenchTypos(text) {
			b.t.Errorf("%s: %s", name, p)
		}
	}
	b.do(chromedp.EmulateViewport(1280, 900))
}

// checkPDF fetches a PDF as the signed-in person and reads its typography.
func (b *tab) checkPDF(path string) {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q).then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status)).then(buf => {
		let s = ""; new Uint8Array(buf).forEach(c => s += String.fromCharCode(c)); return btoa(s); })`, path), chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Errorf("PDF %s: %v", path, err)
		return
	}
	raw, err := base64.StdEncoding.DecodeString(out)
	if err != nil {
		b.t.Fatalf("PDF %s: %v", path, err)
	}
	text, err := pdftext.Extract(raw)
	if err != nil {
		b.t.Errorf("PDF %s: %v", path, err)
		return
	}
	for _, p := range frenchTypos(text) {
		b.t.Errorf("PDF %s: %s", path, p)
	}
}

// crawlable: the pages a person reads, not downloads (a file, a dossier's
// uploaded piece), the API, or leaving.
func crawlable(p string) bool {
	for _, pre := range []string{"/api/", "/static/", "/logout", "/metrics", "/healthz", "/readyz", "/lang"} {
		if strings.HasPrefix(p, pre) {
			return false
		}
	}
	if strings.Contains(p, "/documents/") {
		return false
	}
	last := p[strings.LastIndex(p, "/")+1:]
	return !strings.Contains(last, ".")
}

var idSegment = regexp.MustCompile(`^[0-9a-zA-Z-]*[0-9][0-9a-zA-Z-]{5,}$`)

// pattern is the route a path is an instance of (identifiers as :id), so
// that one candidate's page stands for all of them.
func pattern(p string) string {
	path, _, _ := strings.Cut(p, "?")
	parts := strings.Split(path, "/")
	for i, s := range parts {
		if idSegment.MatchString(s) {
			parts[i] = ":id"
		}
	}
	return strings.Join(parts, "/")
}

func decodeList(t *testing.T, js string) []string {
	t.Helper()
	var out []string
	js = strings.TrimSuffix(strings.TrimPrefix(js, "["), "]")
	for _, s := range strings.Split(js, ",") {
		s = strings.Trim(s, `"`)
		if s != "" && s != "null" {
			out = append(out, strings.ReplaceAll(s, `\u0026`, "&"))
		}
	}
	sort.Strings(out)
	return out
}
