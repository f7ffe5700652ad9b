// Package assessments embeds the training content: the scenarios trainees
// work on, the training modules with their courses, and the format's
// documentation. internal/scenario loads and checks it.
package assessments

import "embed"

// FS holds scenarios/, modules/ and README.md.
//
//go:embed scenarios modules README.md
var FS embed.FS
