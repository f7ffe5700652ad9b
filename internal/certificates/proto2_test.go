package certificates

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"

	"github.com/ancr/cqp/internal/pdfdoc"
	"github.com/boombuler/barcode/qr"
	"github.com/johnfercher/maroto/v2"
	mimage "github.com/johnfercher/maroto/v2/pkg/components/image"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontfamily"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

func qrPNG(s string) []byte {
	c, _ := qr.Encode(s, qr.M, qr.Auto)
	b := c.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx()+8, b.Dy()+8))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			if c.At(x, y) == color.Black {
				g.Pix[(y+4)*g.Stride+x+4] = 0
			}
		}
	}
	var buf bytes.Buffer
	(&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, g)
	return buf.Bytes()
}

func protoVar(nfonts int, fam string) []byte {
	r, _ := os.ReadFile("/tmp/fsub/DejaVuSans-latin.ttf")
	bo, _ := os.ReadFile("/tmp/fsub/DejaVuSans-Bold-latin.ttf")
	fonts := []*entity.CustomFont{{Family: pdfdoc.Family, Style: fontstyle.Normal, Bytes: r}, {Family: pdfdoc.Family, Style: fontstyle.Bold, Bytes: bo}}[:nfonts]
	b := config.NewBuilder().WithPageSize(pagesize.A4).WithOrientation(orientation.Horizontal).WithSequentialMode().
		WithDefaultFont(&props.Font{Family: fam, Style: fontstyle.Normal, Size: 10})
	if nfonts > 0 {
		b = b.WithCustomFonts(fonts)
	}
	m := maroto.New(b.Build())
	m.AddAutoRow(text.NewCol(12, "Certificat de qualification professionnelle", props.Text{Size: 24, Family: fam}))
	m.AddAutoRow(text.NewCol(12, "Éloïse Lefèvre — Mettre en œuvre « test »", props.Text{Size: 14}))
	for i := 0; i < 4; i++ {
		m.AddAutoRow(text.NewCol(12, "CLERC-1 Analyse et traitement administratif d'un dossier de recouvrement de dettes"))
	}
	m.AddRow(30, mimage.NewFromBytesCol(3, qrPNG("https://cqp.example.test/verify/CQP-CLERC-2026-000123-K"), extension.Png))
	doc, err := m.Generate()
	if err != nil {
		panic(err)
	}
	return doc.GetBytes()
}

func BenchmarkProtoCore(b *testing.B) {
	for i := 0; i < b.N; i++ {
		protoVar(0, fontfamily.Helvetica)
	}
}
func BenchmarkProtoOne(b *testing.B) {
	for i := 0; i < b.N; i++ {
		protoVar(1, pdfdoc.Family)
	}
}
func BenchmarkProtoTwo(b *testing.B) {
	for i := 0; i < b.N; i++ {
		protoVar(2, pdfdoc.Family)
	}
}
func TestProtoCore(t *testing.T) {
	os.WriteFile("/tmp/fsub/core.pdf", protoVar(0, fontfamily.Helvetica), 0o644)
}
