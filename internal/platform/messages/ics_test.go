package messages_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/platform/messages/mailtest"
)

// unfold parses an iCalendar text into its content lines (RFC 5545 §3.1).
func unfold(t *testing.T, ics string) []string {
	t.Helper()
	if !strings.HasSuffix(ics, "\r\n") {
		t.Fatal("content lines must end with CRLF")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Fatalf("line longer than 75 octets: %q", l)
		}
		if strings.HasPrefix(l, " ") && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// prop finds a property of the VEVENT (or of the calendar, for METHOD and
// TZID), skipping the time zone's own DTSTART.
func prop(lines []string, name string) (string, bool) {
	inTZ := false
	for _, l := range lines {
		switch l {
		case "BEGIN:VTIMEZONE":
			inTZ = true
		case "END:VTIMEZONE":
			inTZ = false
		}
		if inTZ && name != "TZID" {
			continue
		}
		if strings.HasPrefix(l, name+":") || strings.HasPrefix(l, name+";") {
			return l, true
		}
	}
	return "", false
}

func TestICS_ParisLocalTimesUIDAndEscapes(t *testing.T) {
	start := time.Date(2026, 12, 10, 9, 30, 0, 0, messages.Paris) // winter: UTC+1
	ev := messages.Event{UID: "jury-42@cqp", Sequence: 2, Start: start, End: start.Add(7 * time.Hour),
		Summary: "Jury CQP ; session, décembre", Location: "ANCR, 12 rue de l’Échiquier, 75010 Paris",
		Description: strings.Repeat("Une description longue pour forcer le pliage des lignes. ", 4)}
	lines := unfold(t, messages.ICS(ev, "CQP Recouvrement <no-reply@cqp.test>", "lea@example.fr", "Léa", start))
	for name, want := range map[string]string{
		"METHOD":   "METHOD:REQUEST",
		"UID":      "UID:jury-42@cqp",
		"SEQUENCE": "SEQUENCE:2",
		"DTSTART":  "DTSTART;TZID=Europe/Paris:20261210T093000",
		"DTEND":    "DTEND;TZID=Europe/Paris:20261210T163000",
		"SUMMARY":  `SUMMARY:Jury CQP \; session\, décembre`,
		"LOCATION": `LOCATION:ANCR\, 12 rue de l’Échiquier\, 75010 Paris`,
		"STATUS":   "STATUS:CONFIRMED",
		"ATTENDEE": `ATTENDEE;ROLE=REQ-PARTICIPANT;CN="Léa":mailto:lea@example.fr`,
	} {
		if got, _ := prop(lines, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got, _ := prop(lines, "DESCRIPTION"); got != "DESCRIPTION:"+ev.Description {
		t.Errorf("folded description not restored: %q", got)
	}
	if _, ok := prop(lines, "TZID"); !ok {
		t.Error("no VTIMEZONE for Europe/Paris")
	}
	// Summer time: the same wall-clock hour.
	summer := ev
	summer.Start = time.Date(2027, 6, 10, 9, 30, 0, 0, messages.Paris)
	summer.Cancel = true
	lines = unfold(t, messages.ICS(summer, "no-reply@cqp.test", "lea@example.fr", "", summer.Start))
	if got, _ := prop(lines, "DTSTART"); got != "DTSTART;TZID=Europe/Paris:20270610T093000" {
		t.Errorf("summer DTSTART %q", got)
	}
	if got, _ := prop(lines, "METHOD"); got != "METHOD:CANCEL" {
		t.Errorf("cancel METHOD %q", got)
	}
	if got, _ := prop(lines, "STATUS"); got != "STATUS:CANCELLED" {
		t.Errorf("cancel STATUS %q", got)
	}
}

func TestDelivery_AttachesTheCalendarEvent(t *testing.T) {
	srv := mailtest.Start(t)
	env := apptest.New(t, apptest.WithSMTP(srv))
	d := draft("lea@example.fr")
	start := time.Date(2026, 12, 10, 14, 0, 0, 0, messages.Paris)
	d.Event = &messages.Event{UID: "jury-1@cqp", Start: start, End: start.Add(2 * time.Hour), Summary: "Jury", Location: "Lyon"}
	enqueue(t, env, d)
	env.Deliver(t)
	got := srv.WaitFor(t, 1)[0]
	lines := unfold(t, got.Calendar)
	if l, _ := prop(lines, "DTSTART"); l != "DTSTART;TZID=Europe/Paris:20261210T140000" {
		t.Fatalf("calendar part: %q\n%s", l, got.Calendar)
	}
	if l, _ := prop(lines, "LOCATION"); l != "LOCATION:Lyon" {
		t.Fatalf("location %q", l)
	}
}
