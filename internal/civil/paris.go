package civil

import (
	"time"
	_ "time/tzdata" // Europe/Paris must resolve on a bare container too
)

// Paris is the time zone of the users, the sessions, the documents and the
// messages: every instant shown to a person is read there.
var Paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic("civil: Europe/Paris: " + err.Error()) // embedded tzdata: cannot fail
	}
	return loc
}()
