// Package pdftext reads back the text of the PDFs this program writes
// (maroto over gofpdf), so that tests check what a reader would see without
// needing poppler on the machine. It understands what gofpdf emits: text
// shown with Tj inside BT…ET, in plain or Flate-compressed content streams,
// with Type0/Identity-H fonts (UTF-16BE code points, as gofpdf maps CIDs to
// Unicode) and single-byte core fonts (cp1252). It is not a general parser.
package pdftext

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

var (
	objRe      = regexp.MustCompile(`(?s)(\d+) 0 obj\s*(.*?)endobj`)
	streamRe   = regexp.MustCompile(`(?s)^(.*?)stream\r?\n(.*)\r?\nendstream`)
	fontRefRe  = regexp.MustCompile(`/(F[0-9A-Za-z]+) (\d+) 0 R`)
	type0Re    = regexp.MustCompile(`/Subtype\s*/Type0`)
	tfRe       = regexp.MustCompile(`/(F[0-9A-Za-z]+) [0-9.]+ Tf`)
	contentsRe = regexp.MustCompile(`/Contents (\d+) 0 R`)
)

// Extract returns the text of every page, one shown string per line, pages
// in document order.
func Extract(pdf []byte) (string, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return "", fmt.Errorf("pdftext: not a PDF")
	}
	objs := map[string][]byte{}
	for _, m := range objRe.FindAllSubmatch(pdf, -1) {
		objs[string(m[1])] = m[2]
	}
	// Which font resource names are Type0 (two-byte) fonts.
	type0 := map[string]bool{}
	for _, body := range objs {
		for _, fm := range fontRefRe.FindAllSubmatch(body, -1) {
			if f, ok := objs[string(fm[2])]; ok && type0Re.Match(f) {
				type0[string(fm[1])] = true
			}
		}
	}
	var out strings.Builder
	for _, m := range objRe.FindAllSubmatch(pdf, -1) {
		cm := contentsRe.FindSubmatch(m[2])
		if cm == nil || !bytes.Contains(m[2], []byte("/Type /Page")) {
			continue
		}
		content, err := streamOf(objs[string(cm[1])])
		if err != nil {
			return "", err
		}
		showText(content, type0, &out)
	}
	return out.String(), nil
}

func streamOf(obj []byte) ([]byte, error) {
	m := streamRe.FindSubmatch(obj)
	if m == nil {
		return nil, fmt.Errorf("pdftext: content is not a stream")
	}
	data := m[2]
	if bytes.Contains(m[1], []byte("/FlateDecode")) {
		r, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("pdftext: inflate: %w", err)
		}
		defer r.Close()
		return io.ReadAll(r)
	}
	return data, nil
}

// showText walks the content stream: Tf sets the font, (…) Tj shows a string.
func showText(content []byte, type0 map[string]bool, out *strings.Builder) {
	font := ""
	for i := 0; i < len(content); i++ {
		switch content[i] {
		case '/':
			if m := tfRe.FindSubmatch(content[i:min(len(content), i+80)]); m != nil && bytes.HasPrefix(content[i:], m[0]) {
				font = string(m[1])
			}
		case '(':
			s, end := readString(content, i)
			i = end
			rest := bytes.TrimLeft(content[min(len(content), end+1):], " \r\n")
			if !bytes.HasPrefix(rest, []byte("Tj")) {
				continue
			}
			if type0[font] {
				out.WriteString(decodeUTF16(s))
			} else {
				t, _ := charmap.Windows1252.NewDecoder().Bytes(s)
				out.Write(t)
			}
			out.WriteByte('\n')
		}
	}
}

// readString reads a PDF literal string starting at content[start] == '('
// and returns its bytes and the index of the closing parenthesis.
func readString(content []byte, start int) ([]byte, int) {
	var b []byte
	depth := 0
	for i := start; i < len(content); i++ {
		c := content[i]
		switch {
		case c == '\\' && i+1 < len(content):
			i++
			switch e := content[i]; e {
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case '\r', '\n':
				// line continuation
			default:
				if e >= '0' && e <= '7' {
					v, n := 0, 0
					for n < 3 && i < len(content) && content[i] >= '0' && content[i] <= '7' {
						v = v*8 + int(content[i]-'0')
						i++
						n++
					}
					i--
					b = append(b, byte(v))
				} else {
					b = append(b, e)
				}
			}
		case c == '(':
			if depth > 0 {
				b = append(b, c)
			}
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return b, i
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return b, len(content) - 1
}

func decodeUTF16(b []byte) string {
	if len(b)%2 == 1 {
		b = b[:len(b)-1]
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// Plain reads French typography (no-break and narrow no-break spaces, the
// typographic apostrophe) as typed on a keyboard, so that tests of content
// compare words; the typography has tests of its own.
func Plain(s string) string {
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ", "’", "'").Replace(s)
}
