// Package web holds the browser interface's templates and static assets
// (CSS, htmx 2.0.11, a little JavaScript), embedded in the binary so that
// `cqp serve` needs no file beside it. The page handlers live in internal/webui.
package web

import "embed"

// FS is templates/ (html/template files) and static/ (served under /static/).
//
//go:embed templates static
var FS embed.FS
