package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/ancr/cqp/internal/civil"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/ancr/cqp/assessments"
	"github.com/ancr/cqp/assessments/grids"
	"github.com/ancr/cqp/internal/jury"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/scenario"
	"github.com/ancr/cqp/seed"
)

// MinScenariosPerComponent is the coverage every component must keep: the
// issue that introduced training asks for two situations per component.
const MinScenariosPerComponent = 2

// runAssessments is `cqp assessments check [DIR]`: it validates every
// scenario, module and jury grid (the embedded ones, or those of DIR, a
// folder laid out like assessments/), prints each problem with its file and
// exits non-zero when there is one. CI runs it; authors run it before a commit.
func runAssessments(_ context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] != "check" || len(args) > 2 {
		return errors.New("usage: cqp assessments check [DIR]")
	}
	var content, gridFS fs.FS = assessments.FS, grids.FS
	if len(args) == 2 {
		content = os.DirFS(args[1])
		gridFS = os.DirFS(filepath.Join(args[1], "grids"))
	}
	params, err := shippedParameters()
	if err != nil {
		return err
	}
	problems := CheckAssessments(content, gridFS, params, env.stdout)
	for _, p := range problems {
		fmt.Fprintln(env.stderr, "ERROR", p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("assessments check: %s", civil.Count("en", len(problems), "problem", "problems"))
	}
	fmt.Fprintln(env.stdout, "assessments check: OK")
	return nil
}

func shippedParameters() (law.Parameters, error) {
	raw, err := fs.ReadFile(seed.FS, "parameters.json")
	if err != nil {
		return law.Parameters{}, err
	}
	p, err := law.ParseParameters(raw)
	if err != nil {
		return law.Parameters{}, fmt.Errorf("seed/parameters.json: %w", err)
	}
	return p, nil
}

// CheckAssessments loads and checks the training content and the jury grids,
// writes a summary per component to w, and returns every problem: a file
// that does not load or check, and a component with too few scenarios or no
// module.
func CheckAssessments(content, gridFS fs.FS, p law.Parameters, w io.Writer) []error {
	cat, errs := scenario.LoadChecked(content, p)
	if _, err := jury.LoadGrids(gridFS); err != nil {
		errs = append(errs, err)
	}
	fmt.Fprintf(w, "%d scenarios and %d modules pass their check\n", len(cat.Scenarios), len(cat.Modules))
	for _, comp := range scenario.Components {
		n := 0
		for _, s := range cat.Scenarios {
			if slices.Contains(s.Components, comp) {
				n++
			}
		}
		mods := 0
		for _, m := range cat.Modules {
			if m.Component == comp {
				mods++
			}
		}
		fmt.Fprintf(w, "  %-8s %s, %s\n", comp, civil.Count("en", n, "scenario", "scenarios"), civil.Count("en", mods, "module", "modules"))
		if n < MinScenariosPerComponent {
			errs = append(errs, fmt.Errorf("component %s: %s, at least %d required", comp, civil.Count("en", n, "valid scenario", "valid scenarios"), MinScenariosPerComponent))
		}
		if mods == 0 {
			errs = append(errs, fmt.Errorf("component %s: no valid training module", comp))
		}
	}
	return errs
}
