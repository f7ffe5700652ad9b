package pdfdoc

import (
	"strings"
	"sync"
	"unicode"

	"github.com/ancr/cqp/internal/civil"

	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"golang.org/x/image/font/sfnt"
)

// Fallback is drawn for a character the embedded font cannot draw.
const Fallback = '\uFFFD'

// coverage is the set of BMP characters both embedded fonts can draw. It
// is read from the fonts themselves, once per process.
var coverage = sync.OnceValue(func() *[1 << 16]bool {
	var set [1 << 16]bool
	var faces []*sfnt.Font
	for _, b := range [][]byte{regular, bold} {
		f, err := sfnt.Parse(b)
		if err != nil {
			panic("pdfdoc: embedded font: " + err.Error()) // the embedded bytes: cannot fail
		}
		faces = append(faces, f)
	}
	var buf sfnt.Buffer
	for r := rune(0x20); r < 1<<16; r++ {
		ok := true
		for _, f := range faces {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				ok = false
				break
			}
		}
		set[r] = ok
	}
	return &set
})

// Printable returns s as the fonts can draw it: line breaks and tabs kept,
// other control characters dropped, and every character outside the fonts
// (an emoji, a character beyond the Basic Multilingual Plane, which crashed
// the PDF library) replaced by Fallback. Drawing text must never fail: the
// certificate or the signed minutes of a whole jury would be lost.
func Printable(s string) string {
	set := coverage()
	clean := true
	for _, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if r >= 1<<16 || !set[r] || unicode.IsControl(r) || r == '\u200b' || r == '\ufeff' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) || r == '\u200b' || r == '\ufeff':
		case r >= 1<<16 || !set[r]:
			b.WriteRune(Fallback)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Text is maroto's text component, drawn through Printable. Every PDF of
// the product draws its text through here (a test holds the code to it),
// with French typography's non-breaking spaces (civil.FrenchSpaces).
func Text(s string, p ...props.Text) core.Component {
	return text.New(Printable(civil.FrenchSpaces(s)), p...)
}

// TextCol is a column of size holding one Text.
func TextCol(size int, s string, p ...props.Text) core.Col { return col.New(size).Add(Text(s, p...)) }
