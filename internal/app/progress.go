package app

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws one line, redrawn in place with a carriage return.
// The CLI's long jobs (imports, benchmark seeding, batch issuance) share it.
type progressBar struct {
	w     io.Writer
	unit  string // what count counts, in French: "lignes", "candidats"
	start time.Time
	drawn bool
}

func newProgressBar(w io.Writer, unit string) *progressBar {
	return &progressBar{w: w, unit: unit, start: time.Now()}
}

func (b *progressBar) draw(phase string, done, total int64, count int) {
	const width = 30
	if total <= 0 {
		total = 1
	}
	done = min(done, total)
	filled := int(int64(width) * done / total)
	fmt.Fprintf(b.w, "\r%-12s [%s%s] %3d %% %9d %s  %s", phase, strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		100*done/total, count, b.unit, time.Since(b.start).Round(100*time.Millisecond))
	b.drawn = true
}

func (b *progressBar) finish() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}
