package certificates

import (
	"bytes"
	_ "embed"
	"fmt"
	stdimage "image"
	"image/png"
	"regexp"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/pdfdoc"
	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/image"
	"github.com/johnfercher/maroto/v2/pkg/components/line"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/phpdave11/gofpdf"
	"rsc.io/qr"
)

func init() {
	// gofpdf writes its font and image catalogues in map order unless told
	// to sort them; sorted, a document drawn again gives the same bytes.
	// maroto does not expose the per-document switch, only this default.
	gofpdf.SetDefaultCatalogSort(true)
}

// The certificate embeds a Latin subset of pdfdoc's DejaVu Sans (see
// fonts/subset.sh), in one style: gofpdf parses, serialises and re-cuts
// every registered font for every document, and its cost grows with the
// glyph count and the highest code point. The two full files cost about
// 20 ms per PDF; one subset (Latin, Latin Extended, Vietnamese: every name
// we expect) costs a fraction. Emphasis is by size and colour. A character
// outside the subset prints as a blank, never as another letter.
var (
	//go:embed fonts/DejaVuSans-latin.ttf
	fontRegular []byte

	subsetFonts = []*entity.CustomFont{{Family: pdfdoc.Family, Style: fontstyle.Normal, Bytes: fontRegular}}
)

var (
	navy = &props.Color{Red: 20, Green: 40, Blue: 90}
	grey = &props.Color{Red: 90, Green: 90, Blue: 90}
	red  = &props.Color{Red: 190, Green: 20, Blue: 20}
	bold = fontstyle.Normal // see subsetFonts
)

// RenderPDF draws the document: an A4 landscape page in French. It reads
// nothing but the signed document, so the PDF of an old document is drawn
// again from what was issued, whatever the referential says today; its
// creation date is the issue date, so the same document gives the same bytes.
//
// A revoked document is drawn with a visible mark and the revocation date
// above everything else (revokedOn); the signed snapshot is not changed.
func RenderPDF(d Document, revokedOn ...civil.Date) ([]byte, error) {
	cfg := pdfdoc.Builder(orientation.Horizontal).
		WithCustomFonts(subsetFonts).
		WithCreationDate(d.IssuedOn.Time()).
		WithTitle(title(d)+" "+d.Number, true).
		WithAuthor(d.Certifier, true).
		WithSubject(d.CertificationTitle, true).
		WithCreator("CQP Recouvrement", true).
		Build()
	m := maroto.New(cfg)

	center := func(size float64, style fontstyle.Type, c *props.Color, top float64) props.Text {
		return props.Text{Size: size, Style: style, Align: align.Center, Color: c, Top: top}
	}
	if len(revokedOn) > 0 {
		m.AddAutoRow(pdfdoc.TextCol(12, "RÉVOQUÉ LE "+strings.ToUpper(revokedOn[0].French())+" — CE DOCUMENT N'ATTESTE PLUS RIEN",
			center(14, bold, red, 0)))
	}
	m.AddAutoRow(pdfdoc.TextCol(12, d.Certifier, center(10, fontstyle.Normal, grey, 0)))
	m.AddAutoRow(pdfdoc.TextCol(12, strings.ToUpper(title(d)), center(22, bold, navy, 4)))
	m.AddAutoRow(pdfdoc.TextCol(12, d.CertificationTitle, center(16, bold, nil, 3)))
	m.AddAutoRow(pdfdoc.TextCol(12, codesLine(d), center(9, fontstyle.Normal, grey, 2)))
	m.AddRow(4, line.NewCol(12, props.Line{Color: navy, SizePercent: 40, Thickness: 0.4}))

	issuedTo := "est délivrée à" // une attestation
	if d.Kind == KindCertificate {
		issuedTo = "est délivré à" // un certificat
	}
	m.AddAutoRow(pdfdoc.TextCol(12, issuedTo, center(11, fontstyle.Normal, nil, 3)))
	m.AddAutoRow(pdfdoc.TextCol(12, d.Holder.FirstName+" "+d.Holder.LastName, center(20, bold, nil, 2)))
	if d.Kind == KindCertificate && d.AwardedOn != nil {
		m.AddAutoRow(pdfdoc.TextCol(12, "qui a obtenu la certification le "+(*d.AwardedOn).French()+
			", chaque bloc de compétences étant validé à cette date :", center(11, fontstyle.Normal, nil, 3)))
	} else {
		m.AddAutoRow(pdfdoc.TextCol(12, "qui a validé les blocs de compétences suivants, chacun valable cinq ans à compter de sa validation par le jury :",
			center(11, fontstyle.Normal, nil, 3)))
	}

	head := props.Text{Size: 9, Style: bold, Color: navy, Top: 3}
	cell := props.Text{Size: 9, Top: 1.5}
	cols := []int{2, 6, 2, 2}
	// The end of validity is written as its last day, included, as on
	// the public check and the candidate's page (ExpiresOn is the first
	// day a component is no longer valid).
	headers := []string{"Bloc", "Intitulé", "Validé le", "Valable jusqu'au"}
	if d.Kind == KindCertificate {
		cols, headers = []int{2, 8, 2}, headers[:3]
	}
	hr := make([]core.Col, len(headers))
	for i, h := range headers {
		hr[i] = pdfdoc.TextCol(cols[i], h, head)
	}
	m.AddAutoRow(hr...)
	for _, c := range d.Components {
		r := []core.Col{
			pdfdoc.TextCol(cols[0], c.Code, cell),
			pdfdoc.TextCol(cols[1], c.Title, cell),
			pdfdoc.TextCol(cols[2], c.AcquiredOn.Numeric(), cell),
		}
		if d.Kind != KindCertificate {
			r = append(r, pdfdoc.TextCol(cols[3], c.ExpiresOn.AddDays(-1).Numeric(), cell))
		}
		m.AddAutoRow(r...)
	}
	if d.Kind != KindCertificate {
		m.AddAutoRow(pdfdoc.TextCol(12, "Cette attestation ne vaut pas certificat de qualification professionnelle. "+
			"Chaque bloc est valable jusqu'à la date indiquée, incluse.", props.Text{Size: 8, Color: grey, Top: 3}))
	}
	if d.Supersedes != "" {
		m.AddAutoRow(pdfdoc.TextCol(12, "Ce document remplace le document n° "+d.Supersedes+".", props.Text{Size: 8, Color: grey, Top: 1}))
	}

	qr, err := QRPNG(d.VerificationURL)
	if err != nil {
		return nil, fmt.Errorf("pdf %s: %w", d.Number, err)
	}
	m.AddRow(6)
	m.AddRows(row.New(36).Add(
		image.NewFromBytesCol(2, qr, extension.Png, props.Rect{Percent: 100}),
		col.New(5).Add(
			pdfdoc.Text("N° "+d.Number, props.Text{Size: 11, Style: bold, Left: 3}),
			pdfdoc.Text("Vérifier l'authenticité : "+d.VerificationURL, props.Text{Size: 8, Left: 3, Top: 7, Color: grey}),
			pdfdoc.Text("Fait le "+d.IssuedOn.French(), props.Text{Size: 9, Left: 3, Top: 14}),
		),
		col.New(5).Add(
			pdfdoc.Text("Pour le certificateur", props.Text{Size: 9, Style: bold, Align: align.Right}),
			pdfdoc.Text(d.Certifier, props.Text{Size: 8, Align: align.Right, Top: 5, Color: grey}),
			pdfdoc.Text("Signé électroniquement (Ed25519), clé "+d.KID, props.Text{Size: 8, Align: align.Right, Top: 16, Color: grey}),
			pdfdoc.Text("Sceau : "+abbrev(d.Signature), props.Text{Size: 8, Align: align.Right, Top: 21, Color: grey}),
		),
	))

	doc, err := m.Generate()
	if err != nil {
		return nil, fmt.Errorf("pdf %s: %w", d.Number, err)
	}
	return pinModDate(doc.GetBytes(), d.IssuedOn.Time()), nil
}

func title(d Document) string {
	if d.Kind == KindCertificate {
		return "Certificat de qualification professionnelle"
	}
	return "Attestation de validation partielle"
}

func codesLine(d Document) string {
	var parts []string
	if d.Registration != nil {
		parts = append(parts, "Enregistré au "+d.Registration.Registry+" sous le n° "+d.Registration.Number)
	}
	if d.Codes.NSF != "" {
		parts = append(parts, "NSF "+d.Codes.NSF)
	}
	if d.Codes.ROME != "" {
		parts = append(parts, "ROME "+d.Codes.ROME)
	}
	if d.Codes.Formacode != "" {
		parts = append(parts, "Formacode "+d.Codes.Formacode)
	}
	return strings.Join(parts, " · ")
}

// abbrev shows the start and end of the signature: enough to compare with
// the JSON document by eye, short enough for one line.
func abbrev(sig string) string {
	if len(sig) <= 24 {
		return sig
	}
	return sig[:12] + "…" + sig[len(sig)-12:]
}

// qrPNG draws the QR code as a small grey-scale PNG, four pixels a module
// with the standard quiet zone. maroto's own QR component draws a large RGBA
// image that gofpdf must then decode and re-compress, and boombuler's
// encoder scores all eight masks (2 ms); rsc.io/qr keeps one mask, which
// the standard allows, and a grey PNG's data goes into the PDF as it is.
var qrEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: make(pngPool, 16)}

// pngPool lets the PNG encoder keep its compressor between documents (a
// megabyte of tables each time otherwise). It is a small free list rather
// than a sync.Pool, which every garbage collection empties: when many
// documents are drawn, that is every few documents.
type pngPool chan *png.EncoderBuffer

func (p pngPool) Get() *png.EncoderBuffer {
	select {
	case b := <-p:
		return b
	default:
		return nil
	}
}

func (p pngPool) Put(b *png.EncoderBuffer) {
	select {
	case p <- b:
	default:
	}
}

// QRPNG draws a QR code of text as a PNG (the PDFs' verification link,
// the second factor's otpauth:// address).
func QRPNG(url string) ([]byte, error) {
	c, err := qr.Encode(url, qr.M)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	const scale, quiet = 4, 4
	n := c.Size
	side := (n + 2*quiet) * scale
	img := stdimage.NewGray(stdimage.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !c.Black(x, y) {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				row := ((y+quiet)*scale + dy) * img.Stride
				for dx := 0; dx < scale; dx++ {
					img.Pix[row+(x+quiet)*scale+dx] = 0
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := qrEncoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return buf.Bytes(), nil
}

// modDate is the document-information entry gofpdf fills with the clock.
var modDate = regexp.MustCompile(`/ModDate \(D:\d{14}\)`)

// pinModDate sets the PDF's modification date to the issue date, so that a
// document drawn again gives the same bytes: maroto lets us fix the creation
// date but not this one. The replacement has the same length, so the
// cross-reference offsets stay right.
func pinModDate(pdf []byte, at time.Time) []byte {
	stamp := []byte("/ModDate (D:" + at.UTC().Format("20060102150405") + ")")
	return modDate.ReplaceAllLiteral(pdf, stamp)
}
