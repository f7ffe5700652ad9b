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
