package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/ancr/cqp/internal/civil"
	"io"
	"os"
	"sync/atomic"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/auth"
)

// cliActor is who the journal names for changes made from the command line:
// the operator has shell access to the server, hence administrator rights.
var cliActor = auth.User{ID: "cli", Name: "ligne de commande", Role: auth.RoleAdmin}

// runCandidates is `cqp candidates import FILE`: the administrator's CSV
// import, all or nothing, with a progress bar on stderr (files of a hundred
// thousand rows take a while to check and write).
func runCandidates(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) != 2 || args[0] != "import" {
		return errors.New("usage: cqp candidates import FILE.csv")
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	a, err := New(ctx, env.cfg, Options{Logger: env.log})
	if err != nil {
		return err
	}
	defer a.Close()

	cr := &countingReader{r: f}
	bar := newProgressBar(env.stderr, "lignes")
	rows := 0
	res, err := a.Candidates.Import(ctx, cliActor, cr, candidates.ImportOptions{Progress: func(phase string, done int) {
		switch phase {
		case "validation":
			rows = done
			bar.draw("vérification", cr.n.Load(), st.Size(), done)
		case "import":
			bar.draw("import", int64(done), int64(max(rows, 1)), done)
		}
	}})
	bar.finish()
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.stdout, "%s depuis %s\n", civil.Count("fr", res.Imported, "candidat importé", "candidats importés"), args[1])
	return nil
}

// countingReader counts the bytes read, for the bar of the checking phase.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
