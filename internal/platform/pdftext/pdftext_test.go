package pdftext_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/platform/pdftext"
	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/page"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/johnfercher/maroto/v2/pkg/repository"
)

const line = "Łukasz Wiśniewski — Nguyễn Thị Ánh — procès-verbal « validé » (1 234,56 €) \\ fin"

func generate(t *testing.T, utf8 bool, compress bool) []byte {
	t.Helper()
	b := config.NewBuilder().WithCompression(compress)
	if utf8 {
		ttf, err := os.ReadFile("testdata/DejaVuSans.ttf")
		if err != nil {
			t.Fatal(err)
		}
		fonts, err := repository.New().AddUTF8FontFromBytes("dejavu", fontstyle.Normal, ttf).Load()
		if err != nil {
			t.Fatal(err)
		}
		b = b.WithCustomFonts(fonts).WithDefaultFont(&props.Font{Family: "dejavu"})
	}
	m := maroto.New(b.Build())
	m.AddRow(10, text.NewCol(12, line))
	m.AddPages(page.New().Add(text.NewRow(10, "Deuxième page : reçu")))
	doc, err := m.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return doc.GetBytes()
}

func TestExtract_ReadsBackUnicodeTextFromEmbeddedFonts(t *testing.T) {
	for _, compress := range []bool{false, true} {
		got, err := pdftext.Extract(generate(t, true, compress))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, line) || !strings.Contains(got, "Deuxième page : reçu") {
			t.Fatalf("compress=%v: text not read back:\n%s", compress, got)
		}
		if strings.Index(got, line) > strings.Index(got, "Deuxième page") {
			t.Fatal("pages out of order")
		}
	}
}

func TestExtract_ReadsCoreFontText(t *testing.T) {
	got, err := pdftext.Extract(generate(t, false, false))
	if err != nil {
		t.Fatal(err)
	}
	// The core font has no Ł, ś, ễ, ị: gofpdf prints other bytes for them; the
	// French letters, € and guillemets survive.
	if !strings.Contains(got, "procès-verbal « validé » (1 234,56 €)") {
		t.Fatalf("text not read back:\n%s", got)
	}
}

func TestExtract_RefusesWhatIsNotAPDF(t *testing.T) {
	if _, err := pdftext.Extract([]byte("MZ\x90\x00")); err == nil {
		t.Fatal("accepted an executable")
	}
}
