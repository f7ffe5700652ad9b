package webui

import "bytes"

// frenchSpaces puts the non-breaking spaces French typography wants in a
// rendered page's text: before « : ; ? ! % » and after « (narrow ones
// before ; ? !, as the Imprimerie nationale does). Tags and what must stay
// as typed (scripts, styles, preformatted text, text areas: code, JSON,
// a user's answer) are left alone, so the templates keep plain spaces and
// the rule lives in one place.
func frenchSpaces(in []byte) []byte {
	out := make([]byte, 0, len(in)+len(in)/64)
	skipUntil := "" // the closing tag of an element whose text is kept as is
	for i := 0; i < len(in); {
		c := in[i]
		if c == '<' {
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
			continue
		}
		if skipUntil == "" {
			if c == ' ' && i+1 < len(in) {
				switch in[i+1] {
				case ':', '%':
					out = append(out, "\u00a0"...)
					i++
					continue
				case ';', '?', '!':
					out = append(out, "\u202f"...)
					i++
					continue
				}
				if bytes.HasPrefix(in[i+1:], []byte("»")) {
					out = append(out, "\u00a0"...)
					i++
					continue
				}
			}
			if bytes.HasPrefix(in[i:], []byte("« ")) {
				out = append(out, "«\u00a0"...)
				i += len("« ")
				continue
			}
		}
		out = append(out, c)
		i++
	}
	return out
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}
