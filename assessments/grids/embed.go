// Package grids holds the evaluation grids juries score candidates with:
// one YAML file per component, criteria grouped by assessment mode (dossier,
// entretien, mise en situation professionnelle), each with four described
// levels. internal/jury loads and checks them.
package grids

import "embed"

// FS holds the *.yaml grids.
//
//go:embed *.yaml
var FS embed.FS
