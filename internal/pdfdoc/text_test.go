package pdfdoc_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/pdfdoc"
	"github.com/ancr/cqp/internal/platform/pdftext"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// An emoji in a jury's reason crashed the PDF library (index out of range):
// the whole signed minutes answered 500 for ever. Any text is drawn now,
// with a visible mark where the font has no glyph.
func TestText_DrawsAnyTextWithAFallbackGlyph(t *testing.T) {
	m := pdfdoc.New(orientation.Vertical)
	in := "Motif : très bien 😀 — 𝔘nicode 中文 fin\u0007."
	m.AddAutoRow(pdfdoc.TextCol(12, in, props.Text{}))
	doc, err := m.Generate()
	if err != nil {
		t.Fatal(err)
	}
	out, err := pdftext.Extract(doc.GetBytes())
	if err != nil {
		t.Fatal(err)
	}
	want := pdfdoc.Printable(in)
	if !strings.Contains(out, "Motif\u00a0: très bien") || !strings.Contains(want, "\uFFFD") || strings.ContainsRune(want, '\u0007') {
		t.Fatalf("printable %q, extracted:\n%s", want, out)
	}
}

func TestPrintable_KeepsWhatTheFontDraws(t *testing.T) {
	for in, want := range map[string]string{
		"Nguyễn Thị Ánh « Łódź »": "Nguyễn Thị Ánh « Łódź »",
		"a\nb\tc":                 "a\nb\tc",
		"x😀y":                     "x\uFFFDy",
		"zero\u200bwidth":         "zerowidth",
	} {
		if got := pdfdoc.Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every PDF draws its text through pdfdoc.Text: no package but pdfdoc
// imports maroto's text component directly.
func TestEveryPDFDrawsTextThroughPrintable(t *testing.T) {
	const banned = "github.com/johnfercher/maroto/v2/pkg/components/text"
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "third_party" || d.Name() == "pdfdoc") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == banned {
				t.Errorf("%s imports maroto's text component: draw text with pdfdoc.Text or pdfdoc.TextCol", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
