package messages

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// ICS writes ev as an iCalendar object (RFC 5545) with the Europe/Paris time
// zone: METHOD:REQUEST for a new or changed event, METHOD:CANCEL when the
// person is no longer expected. The UID and a growing SEQUENCE let calendar
// programs update or remove the event they already hold.
func ICS(ev Event, from, toEmail, toName string, stamp time.Time) string {
	method, status := "REQUEST", "CONFIRMED"
	if ev.Cancel {
		method, status = "CANCEL", "CANCELLED"
	}
	organizer := "ORGANIZER:mailto:" + from
	if a, err := mail.ParseAddress(from); err == nil {
		organizer = "ORGANIZER:mailto:" + a.Address
		if a.Name != "" {
			organizer = fmt.Sprintf("ORGANIZER;CN=%s:mailto:%s", icsParam(a.Name), a.Address)
		}
	}
	end := ev.End
	if end.IsZero() || !end.After(ev.Start) {
		end = ev.Start.Add(time.Hour)
	}
	local := "20060102T150405"
	var b strings.Builder
	line := func(s string) { b.WriteString(fold(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//ANCR//CQP Recouvrement//FR")
	line("CALSCALE:GREGORIAN")
	line("METHOD:" + method)
	b.WriteString(parisTimezone)
	line("BEGIN:VEVENT")
	line("UID:" + ev.UID)
	line(fmt.Sprintf("SEQUENCE:%d", ev.Sequence))
	line("DTSTAMP:" + stamp.UTC().Format("20060102T150405Z"))
	line("DTSTART;TZID=Europe/Paris:" + ev.Start.In(Paris).Format(local))
	line("DTEND;TZID=Europe/Paris:" + end.In(Paris).Format(local))
	line("SUMMARY:" + icsText(ev.Summary))
	if ev.Location != "" {
		line("LOCATION:" + icsText(ev.Location))
	}
	if ev.Description != "" {
		line("DESCRIPTION:" + icsText(ev.Description))
	}
	line(organizer)
	attendee := "ATTENDEE;ROLE=REQ-PARTICIPANT"
	if toName != "" {
		attendee += ";CN=" + icsParam(toName)
	}
	line(attendee + ":mailto:" + toEmail)
	line("STATUS:" + status)
	line("END:VEVENT")
	line("END:VCALENDAR")
	return b.String()
}

// parisTimezone is Europe/Paris's VTIMEZONE (CET/CEST, the EU rules since 1996).
const parisTimezone = "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n" +
	"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"

// icsText escapes a TEXT value.
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", "").Replace(s)
}

// icsParam quotes a parameter value.
func icsParam(s string) string {
	return `"` + strings.NewReplacer(`"`, "'", "\r", "", "\n", " ").Replace(s) + `"`
}

// fold ends a content line with CRLF, folding it at 75 octets without
// cutting a UTF-8 sequence.
func fold(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		l := len(string(r))
		if n+l > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += l
	}
	b.WriteString("\r\n")
	return b.String()
}
