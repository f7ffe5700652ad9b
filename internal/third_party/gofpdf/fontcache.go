package gofpdf

// Patch for CQP Recouvrement (see README.md beside this file): gofpdf
// parsed every UTF-8 TrueType font, and JSON-encoded its 65 536 character
// widths to name it, for every document. What that derives from a font's
// bytes is the same each time, so it is computed once per process here and
// each document gets its own copy of the mutable parser state.

import (
	"crypto/sha256"
	"sync"
)

// parsedUTF8 is one font file's parse, shared read-only between documents.
type parsedUTF8 struct {
	once sync.Once
	file *utf8FontFile
	err  error
	ids  sync.Map // font key → generateFontID's result
}

// utf8Fonts maps a font file's SHA-256 to its *parsedUTF8. A process uses a
// handful of fonts, so it is never pruned.
var utf8Fonts sync.Map

func parseUTF8Cached(b []byte) *parsedUTF8 {
	v, _ := utf8Fonts.LoadOrStore(sha256.Sum256(b), &parsedUTF8{})
	p := v.(*parsedUTF8)
	p.once.Do(func() {
		// Parse a private copy: the caller may reuse its slice.
		own := append([]byte(nil), b...)
		p.file = newUTF8Font(&fileReader{array: own})
		if p.err = p.file.parseFile(); p.err != nil {
			return
		}
		// The character-to-glyph map GenerateCutFont reads, built once.
		tmp := p.fresh()
		if tmp.generateCMAP() != nil {
			p.file.cmap = tmp.charSymbolDictionary
		}
		// And the glyph offsets, read as GenerateCutFont reads them.
		tmp.SeekTable("head")
		tmp.skip(50)
		locaFormat := tmp.readUint16()
		tmp.SeekTable("maxp")
		tmp.skip(4)
		tmp.parseLOCATable(locaFormat, tmp.readUint16())
		p.file.loca = tmp.symbolPosition
	})
	return p
}

// fresh is a parser for one document: the metrics of the shared parse
// (CharWidths, cmap and loca included, which nothing writes to) and its own reader, which
// GenerateCutFont moves through the file while it resets and refills every
// other field.
func (p *parsedUTF8) fresh() *utf8FontFile {
	c := *p.file
	c.fileReader = &fileReader{array: p.file.fileReader.array}
	return &c
}

// id is generateFontID(def), which depends only on the font and its key.
func (p *parsedUTF8) id(def fontDefType) string {
	if v, ok := p.ids.Load(def.Name); ok {
		return v.(string)
	}
	id, _ := generateFontID(def)
	p.ids.Store(def.Name, id)
	return id
}

// cidMaps are putfonts' CIDToGIDMap buffers (128 KB each), kept between
// documents: a sync.Pool would be emptied by every garbage collection.
var cidMaps = make(chan []byte, 16)

func cidMapBuffer() []byte {
	select {
	case b := <-cidMaps:
		clear(b)
		return b
	default:
		return make([]byte, 256*256*2)
	}
}

func releaseCIDMapBuffer(b []byte) {
	select {
	case cidMaps <- b:
	default:
	}
}
