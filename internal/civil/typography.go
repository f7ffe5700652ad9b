package civil

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FrenchSpacesHTML puts the non-breaking spaces French typography wants in
// an HTML document's text (FrenchSpaces on each run of text): pages and
// messages. Tags and
// what must stay as typed (scripts, styles, preformatted text, text areas:
// code, JSON, a user's answer) are left alone, so the templates keep plain
// spaces and the rule lives in one place.
func FrenchSpacesHTML(in []byte) []byte {
	out := make([]byte, 0, len(in)+len(in)/64)
	skipUntil := "" // the closing tag of an element whose text is kept as is
	for i := 0; i < len(in); {
		if in[i] != '<' {
			end := bytes.IndexByte(in[i:], '<')
			if end < 0 {
				end = len(in) - i
			}
			run := in[i : i+end]
			if skipUntil == "" {
				// html/template writes an apostrophe &#39;: in text it may
				// be written as itself, and then set as French wants it.
				text := FrenchSpaces(strings.ReplaceAll(string(run), "&#39;", "'"))
				// « l'<strong>indication</strong> »: the apostrophe
				// elides over a tag too.
				if strings.HasSuffix(text, "'") && letterEnds(text[:len(text)-1]) && letterAfterTags(in[i+end:]) {
					text = text[:len(text)-1] + "’"
				}
				out = append(out, text...)
			} else {
				out = append(out, run...)
			}
			i += end
			continue
		}
		end := bytes.IndexByte(in[i:], '>')
		if end < 0 {
			return append(out, in[i:]...)
		}
		tag := in[i : i+end+1]
		out = append(out, tag...)
		i += end + 1
		if skipUntil != "" {
			if hasPrefixFold(tag, "</"+skipUntil) {
				skipUntil = ""
			}
			continue
		}
		for _, el := range []string{"script", "style", "pre", "textarea", "code"} {
			if hasPrefixFold(tag, "<"+el) && (len(tag) == len(el)+2 || tag[len(el)+1] == ' ' || tag[len(el)+1] == '>') {
				skipUntil = el
			}
		}
	}
	return out
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

// FrenchSpaces sets a text as French typography wants it: a no-break space
// (U+00A0) for a plain space before « : % € » and after « (or before »), a
// narrow one (U+202F) before « ; ? ! » and between thousands (« 1 190 »),
// as the Imprimerie nationale does,
// and the typographic apostrophe (’) for a straight one between letters
// (« l’administration »). Pages, PDFs and messages all go through here, so
// the wording keeps what a keyboard types and the rule lives in one place.
func FrenchSpaces(s string) string {
	if !strings.ContainsAny(s, ":;?!%»«'€0123456789") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' && i+1 < len(s) {
			switch s[i+1] {
			case ':', '%':
				b.WriteString("\u00a0")
				continue
			case ';', '?', '!':
				b.WriteString("\u202f")
				continue
			}
			if i > 0 && isDigit(s[i-1]) {
				// 1 190,00 € : the thousands and the currency stay
				// with their number.
				if strings.HasPrefix(s[i+1:], "€") {
					b.WriteString("\u00a0")
					continue
				}
				if thousands(s[i+1:]) {
					b.WriteString("\u202f")
					continue
				}
			}
			if strings.HasPrefix(s[i+1:], "»") {
				b.WriteString("\u00a0")
				continue
			}
		}
		if c == '\'' && i > 0 && i+1 < len(s) && letterEnds(s[:i]) && letterStarts(s[i+1:]) {
			b.WriteString("’")
			continue
		}
		if strings.HasPrefix(s[i:], "« ") {
			b.WriteString("«\u00a0")
			i += len("« ") - 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// letterEnds and letterStarts tell whether s ends or starts with a letter:
// an apostrophe elides between two letters (« d’un », « aujourd’hui »).
func letterEnds(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r)
}

func letterStarts(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// thousands tells whether s starts with a group of exactly three digits:
// the space before it separates thousands.
func thousands(s string) bool {
	return len(s) >= 3 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && (len(s) == 3 || !isDigit(s[3]))
}

// letterAfterTags tells whether the text after the tags that start b
// starts with a letter.
func letterAfterTags(b []byte) bool {
	for len(b) > 0 && b[0] == '<' {
		end := bytes.IndexByte(b, '>')
		if end < 0 {
			return false
		}
		b = b[end+1:]
	}
	r, _ := utf8.DecodeRune(b)
	return unicode.IsLetter(r)
}
