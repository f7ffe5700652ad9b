//go:build browser

package webui_test

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

// axe-core 4.14.1 (npm, MPL-2.0: testdata/axe/LICENSE), kept in the
// repository so that the browser tests need no download.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axe runs axe-core's WCAG 2.1 A and AA rules on the page as it is now and
// fails the test for each violation. The script is evaluated through the
// DevTools protocol, which the page's CSP (no inline script) does not bind.
func (b *tab) axe(name string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](axeSource+";undefined")); err != nil {
		b.t.Fatalf("axe on %s: inject: %v", name, err)
	}
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag",
		values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => JSON.stringify({passes: r.passes.length, violations: r.violations}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", name, err)
	}
	var res struct {
		Passes     int            `json:"passes"`
		Violations []axeViolation `json:"violations"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		b.t.Fatalf("axe on %s: %v", name, err)
	}
	if res.Passes == 0 {
		b.t.Fatalf("axe on %s checked nothing", name)
	}
	b.t.Logf("axe on %s: %d rules passed, %d violated", name, res.Passes, len(res.Violations))
	for _, v := range res.Violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		b.t.Errorf("axe on %s (%s): %s [%s, %s]\n  %s", name, b.path(), v.Help, v.ID, v.Impact, strings.Join(where, "\n  "))
	}
}
