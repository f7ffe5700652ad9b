package jury

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Assessment modes of a VAE jury (referential "vae_assessment").
const (
	ModeDossier    = "dossier"
	ModeEntretien  = "entretien"
	ModeSituation  = "mise_en_situation"
	LevelsPerScale = 4
)

var modeLabels = map[string]string{
	ModeDossier:   "Examen du dossier",
	ModeEntretien: "Entretien avec le jury",
	ModeSituation: "Mise en situation professionnelle",
}

// Modes lists the assessment modes in the order the jury meets them.
var Modes = []string{ModeDossier, ModeEntretien, ModeSituation}

// Level is one described level of a criterion.
type Level struct {
	Level int    `yaml:"level" json:"level"`
	Label string `yaml:"label" json:"label"`
}

// Criterion is one line of a grid, as GET …/grid answers it.
type Criterion struct {
	Code      string  `yaml:"code" json:"code"`
	Label     string  `yaml:"label" json:"label"`
	Mode      string  `yaml:"-" json:"mode"`
	ModeLabel string  `yaml:"-" json:"mode_label"`
	Levels    []Level `yaml:"levels" json:"levels"`
}

// Grid is the evaluation grid of one component.
type Grid struct {
	Component string `yaml:"component"`
	Title     string `yaml:"title"`
	Modes     []struct {
		Mode     string      `yaml:"mode"`
		Criteria []Criterion `yaml:"criteria"`
	} `yaml:"modes"`
}

// Criteria flattens the grid, mode by mode; mode "" means every mode.
func (g Grid) Criteria(mode string) []Criterion {
	var out []Criterion
	for _, m := range g.Modes {
		if mode != "" && m.Mode != mode {
			continue
		}
		for _, c := range m.Criteria {
			c.Mode, c.ModeLabel = m.Mode, modeLabels[m.Mode]
			out = append(out, c)
		}
	}
	return out
}

// Grids are the loaded grids by component code.
type Grids map[string]Grid

// LoadGrids reads every *.yaml of fsys and checks it: the file is named
// after its component, every mode appears once, criterion codes are
// unique and start with the component code, and each criterion describes
// levels 1 to 4 in order.
func LoadGrids(fsys fs.FS) (Grids, error) {
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("grids: no grid found")
	}
	sort.Strings(files)
	out := Grids{}
	codes := map[string]string{}
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var g Grid
		dec := yaml.NewDecoder(strings.NewReader(string(raw)))
		dec.KnownFields(true)
		if err := dec.Decode(&g); err != nil {
			return nil, fmt.Errorf("grids: %s: %w", f, err)
		}
		if err := checkGrid(f, g, codes); err != nil {
			return nil, err
		}
		out[g.Component] = g
	}
	return out, nil
}

func checkGrid(file string, g Grid, codes map[string]string) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("grids: %s: %s", file, fmt.Sprintf(format, args...))
	}
	if want := strings.TrimSuffix(path.Base(file), ".yaml"); g.Component != want {
		return fail("component %q, want %q (the file's name)", g.Component, want)
	}
	if strings.TrimSpace(g.Title) == "" {
		return fail("no title")
	}
	if len(g.Modes) != len(Modes) {
		return fail("%d modes, want %v", len(g.Modes), Modes)
	}
	for i, m := range g.Modes {
		if m.Mode != Modes[i] {
			return fail("mode %d is %q, want %q", i+1, m.Mode, Modes[i])
		}
		if len(m.Criteria) == 0 {
			return fail("mode %s has no criterion", m.Mode)
		}
		for _, c := range m.Criteria {
			if !strings.HasPrefix(c.Code, g.Component+".") {
				return fail("criterion %q does not start with %s.", c.Code, g.Component)
			}
			if prev, dup := codes[c.Code]; dup {
				return fail("criterion %s already in %s", c.Code, prev)
			}
			codes[c.Code] = file
			if strings.TrimSpace(c.Label) == "" {
				return fail("criterion %s has no label", c.Code)
			}
			if len(c.Levels) != LevelsPerScale {
				return fail("criterion %s has %d levels, want %d", c.Code, len(c.Levels), LevelsPerScale)
			}
			for j, l := range c.Levels {
				if l.Level != j+1 || strings.TrimSpace(l.Label) == "" {
					return fail("criterion %s: level %d must be numbered %d and described", c.Code, j+1, j+1)
				}
			}
		}
	}
	return nil
}
