package pdfdoc_test

import (
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/pdfdoc"
	"github.com/ancr/cqp/internal/platform/pdftext"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

func TestNew_PrintsNamesOutsideCP1252(t *testing.T) {
	names := []string{"Łukasz Wiśniewski", "Nguyễn Thị Ánh", "Françoise Lœuvre « procès-verbal »"}
	m := pdfdoc.New(orientation.Vertical)
	for i, n := range names {
		style := fontstyle.Normal
		if i%2 == 1 {
			style = fontstyle.Bold
		}
		m.AddAutoRow(text.NewCol(12, n, props.Text{Style: style}))
	}
	doc, err := m.Generate()
	if err != nil {
		t.Fatal(err)
	}
	out, err := pdftext.Extract(doc.GetBytes())
	if err != nil {
		t.Fatalf("extract: %v", err)
	}
	for _, n := range names {
		if !strings.Contains(out, n) {
			t.Errorf("text lacks %q:\n%s", n, out)
		}
	}
}

func BenchmarkNew_OnePage(b *testing.B) {
	for b.Loop() {
		m := pdfdoc.New(orientation.Vertical)
		m.AddAutoRow(text.NewCol(12, "Łukasz Wiśniewski — procès-verbal", props.Text{Style: fontstyle.Bold}))
		if _, err := m.Generate(); err != nil {
			b.Fatal(err)
		}
	}
}
