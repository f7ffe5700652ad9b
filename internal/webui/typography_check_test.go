package webui_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/messages"
)

// The messages the demo wrote (convocations, reminders, results) keep
// French typography, subject and text alike; the browser test reads the
// pages and the PDFs with the same check.
func TestDemoMessages_KeepFrenchTypography(t *testing.T) {
	env := apptest.New(t, apptest.WithDemo())
	ms, err := env.App.Outbox.List(context.Background(), messages.Query{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	french := 0
	for _, m := range ms {
		if m.Lang == "en" {
			continue
		}
		french++
		for _, p := range frenchTypos(m.Subject + "\n" + m.TextBody) {
			t.Errorf("message %s (%s): %s", m.Kind, m.Subject, p)
		}
	}
	if french == 0 {
		t.Fatal("the demo wrote no French message to check")
	}
}

var (
	// A plain space where French wants a non-breaking one.
	plainBefore = regexp.MustCompile(`\S ([:;?!%»€])`)
	plainAfter  = regexp.MustCompile(`« \S`)
	thousandsSp = regexp.MustCompile(`\d \d{3}\b`)
	// « (s) », « (e) »: a plural or a gender left to the reader.
	leftToReader = regexp.MustCompile(`\p{L}\((s|e|es|x)\)`)
	// « 1 candidats », « 0 décisions »: French takes the singular.
	pluralOfOne = regexp.MustCompile(`(?:^|[^\d,.\x{202f}\x{a0}])([01]) (\p{Ll}+s)\b`)
	straightApo = regexp.MustCompile(`\p{L}'\p{L}`)
)

// invariable nouns end in s in the singular too.
var invariable = map[string]bool{"mois": true, "fois": true, "cas": true, "avis": true, "pas": true, "prix": true,
	"temps": true, "recours": true, "procès": true, "accès": true, "succès": true, "concours": true, "débours": true}

// frenchTypos lists what a French reader would correct in text.
func frenchTypos(text string) []string {
	var out []string
	add := func(kind string, ms []string) {
		for i, m := range ms {
			if i == 3 {
				out = append(out, fmt.Sprintf("%s: … (%d in all)", kind, len(ms)))
				break
			}
			out = append(out, fmt.Sprintf("%s: %q", kind, m))
		}
	}
	around := func(re *regexp.Regexp) []string {
		var ms []string
		for _, loc := range re.FindAllStringIndex(text, -1) {
			a, z := max(0, loc[0]-25), min(len(text), loc[1]+25)
			for a > 0 && text[a]&0xC0 == 0x80 {
				a--
			}
			for z < len(text) && text[z]&0xC0 == 0x80 {
				z++
			}
			ms = append(ms, strings.ReplaceAll(text[a:z], "\n", " ⏎ "))
		}
		return ms
	}
	add("a plain space before a sign French spaces with a non-breaking one", around(plainBefore))
	add("a plain space after «", around(plainAfter))
	add("a plain space between thousands", around(thousandsSp))
	add("a plural or gender left to the reader", around(leftToReader))
	var ones []string
	for _, m := range pluralOfOne.FindAllStringSubmatch(text, -1) {
		if !invariable[m[2]] {
			ones = append(ones, m[1]+" "+m[2])
		}
	}
	add("a plural after 0 or 1", ones)
	add("a straight apostrophe", around(straightApo))
	return out
}
