// Package seed embeds the referential and demo data the program loads at
// start: the two certifications, the dated parameter tables of the law, and
// the demo dataset.
package seed

import "embed"

// FS holds every seed file.
//
//go:embed *.json
var FS embed.FS
