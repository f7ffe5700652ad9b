package webui

import (
	"strings"
	"testing"
)

func TestNiceMax_GridLinesFallOnRoundNumbers(t *testing.T) {
	for _, tc := range []struct{ in, niceMax, countMax float64 }{
		{0, 2, 4}, {1, 2, 4}, {3, 4, 4}, {5, 8, 8}, {9, 20, 20}, {37, 40, 40}, {41, 80, 80}, {100, 200, 200}, {0.5, 0.8, 4},
	} {
		if got := niceMax(tc.in); got < tc.in || !near(got, tc.niceMax) {
			t.Errorf("niceMax(%g) = %g, want %g", tc.in, got, tc.niceMax)
		}
		if got := countMax(tc.in); !near(got, tc.countMax) {
			t.Errorf("countMax(%g) = %g, want %g", tc.in, got, tc.countMax)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestCharts_EscapeLabelsAndStayAccessible(t *testing.T) {
	c := columnChart(`Voies <d'accès>`, []string{`<script>`, "VAE"}, []series{{Name: "A & B", Values: []float64{2, 3}}}, nil)
	svg := string(c.SVG)
	if strings.Contains(svg, "<script>") || !strings.Contains(svg, "&lt;script&gt;") {
		t.Errorf("label not escaped: %s", svg)
	}
	for _, want := range []string{`role="img"`, `<title>Voies &lt;d&#39;accès&gt;</title>`, "A &amp; B"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %s", want)
		}
	}
	if got := c.Cell(c.Series[0], 1); got != "3" {
		t.Errorf("cell = %q", got)
	}
	l := lineChart("Mois", []string{"janv. 2026"}, []series{{Name: "x", Values: []float64{1}}}, nil)
	if !strings.Contains(string(l.SVG), "<circle") {
		t.Error("a single month draws no point")
	}
	b := barChart("Taux", []string{"CLERC-1"}, series{Values: []float64{50}}, 100, nil)
	if !strings.Contains(string(b.SVG), "CLERC-1") {
		t.Error("bar label missing")
	}
}

// Twelve months: every other one is named, counted from the last (the
// current month), so that no two names sit side by side and overlap.
func TestLineChart_TwelveMonthsNameEveryOtherEndingWithTheCurrentOne(t *testing.T) {
	months := []string{"déc.", "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov."}
	svg := string(lineChart("Mois", months, []series{{Name: "x", Values: make([]float64, len(months))}}, nil).SVG)
	for i, m := range months {
		named := strings.Contains(svg, ">"+m+"</text>")
		if want := i%2 == 1; named != want {
			t.Errorf("%s named: %v, want %v", m, named, want)
		}
	}
	nine := months[:9]
	svg = string(lineChart("Mois", nine, []series{{Name: "x", Values: make([]float64, len(nine))}}, nil).SVG)
	if !strings.Contains(svg, ">déc.</text>") || !strings.Contains(svg, ">août</text>") || strings.Contains(svg, ">juil.</text>") {
		t.Errorf("nine months: first, last and every other expected: %s", svg)
	}
}
