package law

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRender_FullFileInFrench(t *testing.T) {
	data, err := os.ReadFile("testdata/full.json")
	if err != nil {
		t.Fatal(err)
	}
	out := Evaluate(decode(t, string(data)), params(t))
	text := Render(out)
	for _, want := range []string{
		"Prescription", "Dernier jour pour agir", "3 juin 2030",
		"Sommes réclamables", "4 000,00 €", "Refusés", "Honoraires de recouvrement",
		"Lettre au débiteur", "R124-4-5", "C-PEN-433-13",
		"Plan de paiement", "Quotité saisissable mensuelle",
		"Situation du débiteur", "curateur",
		"Constats", "[BLOQUANT]", "[ATTENTION]", "[INFO]",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("rendering lacks %q", want)
		}
	}
	if strings.Index(text, "[BLOQUANT]") > strings.Index(text, "[INFO]") {
		t.Error("blocking findings come first")
	}
	for i, line := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(line); n > renderWidth && strings.HasPrefix(line, "      ") {
			t.Errorf("finding line %d is %d runes long: %q", i, n, line)
		}
	}
	if strings.Contains(text, "5\n") && strings.Contains(text, "000,00 €") {
		// an amount must never be split over two lines
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "000,00") {
				t.Errorf("amount split across lines: %q", line)
			}
		}
	}
}

func TestRender_EmptyOutput(t *testing.T) {
	text := Render(Output{})
	if !strings.Contains(text, "Aucun constat") {
		t.Errorf("empty rendering: %q", text)
	}
}
