// Package pdfdoc starts maroto documents that can print any French (and
// most Latin-script) name: the core PDF fonts stop at cp1252, so "Łukasz
// Wiśniewski" would print as dots. It embeds DejaVu Sans (regular and bold,
// Bitstream Vera licence, see fonts/LICENSE) and makes it the default font.
package pdfdoc

import (
	_ "embed"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// Family is the font family to name in props.Text when a component sets
// its own font. Only the Normal and Bold styles exist: italic is not
// embedded (each style costs a font parse per document).
const Family = "dejavu"

var (
	//go:embed fonts/DejaVuSans.ttf
	regular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	bold []byte

	// The byte slices are shared read-only by every document; maroto
	// copies nothing, gofpdf parses them when the document is built.
	fonts = []*entity.CustomFont{
		{Family: Family, Style: fontstyle.Normal, Bytes: regular},
		{Family: Family, Style: fontstyle.Bold, Bytes: bold},
	}
)

// Builder returns an A4 configuration builder with the embedded fonts
// registered and set as default (10 pt), 15 mm margins, sequential mode.
// Callers add what they need (title, page numbers...) and call Build.
func Builder(o orientation.Type) config.Builder {
	return config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithOrientation(o).
		WithLeftMargin(15).WithTopMargin(15).WithRightMargin(15).WithBottomMargin(15).
		WithSequentialMode().
		WithCustomFonts(fonts).
		WithDefaultFont(&props.Font{Family: Family, Style: fontstyle.Normal, Size: 10})
}

// New returns a document ready for rows, in the given orientation
// (orientation.Vertical for portrait).
func New(o orientation.Type) core.Maroto {
	return maroto.New(Builder(o).Build())
}
