package civil

import "strconv"

var (
	monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
		"septembre", "octobre", "novembre", "décembre"}
	monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
)

// French writes the date as a French letter does: "1er mars 2026",
// "22 novembre 2026"; the zero date (or an impossible month) is "". The
// law engine's findings quote dozens of dates, so it builds the text in one
// allocation.
func (d Date) French() string {
	if d.IsZero() || d.Month < 1 || d.Month > 12 {
		return ""
	}
	b := make([]byte, 0, 24)
	b = strconv.AppendInt(b, int64(d.Day), 10)
	if d.Day == 1 {
		b = append(b, "er"...)
	}
	b = append(b, ' ')
	b = append(b, monthsFR[d.Month-1]...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(d.Year), 10)
	return string(b)
}

// English writes "March 1, 2026"; the zero date is "".
func (d Date) English() string {
	if d.IsZero() || d.Month < 1 || d.Month > 12 {
		return ""
	}
	return monthsEN[d.Month-1] + " " + strconv.Itoa(d.Day) + ", " + strconv.Itoa(d.Year)
}

// Long is the date in words in lang ("en", else French).
func (d Date) Long(lang string) string {
	if lang == "en" {
		return d.English()
	}
	return d.French()
}

// Numeric is "28/02/2029", for tables and forms.
func (d Date) Numeric() string {
	if d.IsZero() {
		return ""
	}
	b := make([]byte, 0, 10)
	b = appendPadded(b, d.Day, 2)
	b = append(b, '/')
	b = appendPadded(b, int(d.Month), 2)
	b = append(b, '/')
	return string(appendPadded(b, d.Year, 4))
}

func appendPadded(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// Count writes n with its noun agreed in lang ("en", else French): French
// takes the singular for 0 and 1 (« 0 jour », « 1 jour », « 3 jours »),
// English for 1 only. Every count shown to a person goes through here, so
// no page, PDF or message writes « 1 candidats » or « jour(s) ».
func Count(lang string, n int, one, many string) string {
	w := many
	if n == 1 || (n == 0 && lang != "en") {
		w = one
	}
	return strconv.Itoa(n) + " " + w
}
