package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/rules"
	"github.com/ancr/cqp/seed"
)

// staticParams serves the embedded parameter tables, for commands that need
// no database.
type staticParams struct{ p law.Parameters }

func (s staticParams) LawParameters() law.Parameters { return s.p }

// runRules is `cqp rules evaluate FILE.json [--json]`: the analysis of a debt
// file, for trainers preparing a case, with the parameters shipped in seed/.
func runRules(_ context.Context, env *cliEnv, args []string) error {
	if len(args) < 2 || args[0] != "evaluate" {
		return errors.New("usage: cqp rules evaluate FILE.json [--json]")
	}
	raw, err := os.ReadFile(args[1])
	if err != nil {
		return err
	}
	var in law.Input
	if err := httpx.DecodeJSON(bytesReader(raw), &in); err != nil {
		return describe(err)
	}
	praw, err := fs.ReadFile(seed.FS, "parameters.json")
	if err != nil {
		return err
	}
	params, err := law.ParseParameters(praw)
	if err != nil {
		return err
	}
	out, err := rules.NewService(staticParams{params}).Evaluate(in)
	if err != nil {
		return describe(err)
	}
	if len(args) > 2 && args[2] == "--json" {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprint(env.stdout, law.Render(out))
	return nil
}

// describe turns a problem into a readable French error for the terminal.
func describe(err error) error {
	p, ok := httpx.AsProblem(err)
	if !ok {
		return err
	}
	msg := p.FR
	for _, f := range p.Fields {
		msg += "\n  - " + f.Field + " : " + f.FR
	}
	return errors.New(msg)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
