package httpx

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"
)

// CleanText is the one rule every text from outside is held to: no NUL and
// no control characters but line breaks and tabs (PostgreSQL refuses NUL,
// and control characters corrupt PDFs, CSV exports and logs), and Unicode
// normalised to NFC so that "é" typed two ways is one text for searches,
// uniqueness and signatures. It returns the cleaned text, or the reason
// the text is refused.
func CleanText(s string) (string, error) {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
		case r == 0:
			return "", fmt.Errorf("NUL character")
		case r == unicode.ReplacementChar && strings.Contains(s, "\uFFFD"):
			// invalid UTF-8 arrives as U+FFFD once decoded: keep the visible mark
		case unicode.IsControl(r):
			return "", fmt.Errorf("control character U+%04X", r)
		}
	}
	return norm.NFC.String(s), nil
}

// PersonNameOK tells whether a name holds only what a name may: no emoji
// or other symbol, no character beyond the Basic Multilingual Plane (the
// PDFs' fonts have none), no invisible formatting character (zero-width
// spaces and joiners, bidirectional overrides that make "Martin" display
// as another name), no private-use character. Letters of every script,
// digits, spaces, apostrophes, hyphens and periods pass.
func PersonNameOK(s string) bool {
	for _, r := range s {
		if r > 0xFFFF || unicode.In(r, unicode.Cf, unicode.So, unicode.Co, unicode.Cs) {
			return false
		}
	}
	return true
}

// cleanStrings applies CleanText to every string reachable from v (a decoded
// request), in place, and returns a FieldError for each refused one.
func cleanStrings(v reflect.Value, path string) []FieldError {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if v.Kind() == reflect.Interface {
			// a decoded any: strings inside maps and slices are checked,
			// not rewritten (an interface's value cannot be set in place)
			return checkOnly(v.Elem(), path)
		}
		return cleanStrings(v.Elem(), path)
	case reflect.String:
		clean, err := CleanText(v.String())
		if err != nil {
			return []FieldError{textProblem(path, err)}
		}
		if clean != v.String() && v.CanSet() {
			v.SetString(clean)
		}
	case reflect.Struct:
		var out []FieldError
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" && !f.Anonymous {
				name = f.Name
			}
			out = append(out, cleanStrings(v.Field(i), join(path, name))...)
		}
		return out
	case reflect.Slice, reflect.Array:
		var out []FieldError
		for i := 0; i < v.Len(); i++ {
			out = append(out, cleanStrings(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case reflect.Map:
		return checkOnly(v, path)
	}
	return nil
}

func checkOnly(v reflect.Value, path string) []FieldError {
	switch v.Kind() {
	case reflect.String:
		if _, err := CleanText(v.String()); err != nil {
			return []FieldError{textProblem(path, err)}
		}
	case reflect.Map:
		var out []FieldError
		iter := v.MapRange()
		for iter.Next() {
			k := fmt.Sprint(iter.Key().Interface())
			if _, err := CleanText(k); err != nil {
				out = append(out, textProblem(path, err))
			}
			out = append(out, checkOnly(iter.Value(), join(path, k))...)
		}
		return out
	case reflect.Slice, reflect.Array:
		var out []FieldError
		for i := 0; i < v.Len(); i++ {
			out = append(out, checkOnly(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			return checkOnly(v.Elem(), path)
		}
	case reflect.Struct:
		return cleanStrings(v, path)
	}
	return nil
}

func join(path, name string) string {
	switch {
	case name == "":
		return path
	case path == "":
		return name
	}
	return path + "." + name
}

func textProblem(path string, err error) FieldError {
	if path == "" {
		path = "(body)"
	}
	return Field(path, fmt.Sprintf("%s : caractère interdit (%s).", path, strings.Replace(err.Error(), "control character", "caractère de contrôle", 1)),
		fmt.Sprintf("%s: character not allowed (%s).", path, err.Error()))
}

// cleanURL refuses a path or query holding NUL or control characters (a
// NUL in an id or in ?q= reached PostgreSQL, which refuses it with an
// error that became a 500): 400, before any handler runs.
func cleanURL(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := c.Request().URL
		for _, part := range []string{u.Path, u.RawQuery} {
			if _, err := CleanText(part); err != nil {
				return BadRequest("L'adresse contient un caractère interdit.", "The address holds a forbidden character.")
			}
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return BadRequest("Paramètres d'adresse mal formés.", "Malformed query parameters.")
		}
		for k, vs := range q {
			for _, v := range append(vs, k) {
				if _, err := CleanText(v); err != nil {
					return BadRequest("L'adresse contient un caractère interdit.", "The address holds a forbidden character.")
				}
			}
		}
		return next(c)
	}
}
