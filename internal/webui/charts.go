package webui

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn on the server as inline SVG: no script, no library,
// readable by screen readers through their <title>, <desc> and the data
// table each chart is shown with.

// noData is shown where a value does not exist (a rate with nobody
// presented): a dash, never 0 %. Such values are NaN in a series.
const noData = "—"

// series is one coloured set of values, one per label; NaN is "no data".
type series struct {
	Name   string
	Values []float64
}

// chart is a drawn chart and its data, for the template.
type chart struct {
	SVG    template.HTML
	Labels []string
	Series []series
	Format func(float64) string
}

// Cell formats a value of the data table.
func (c chart) Cell(s series, i int) string {
	if i >= len(s.Values) {
		return ""
	}
	if math.IsNaN(s.Values[i]) {
		return noData
	}
	if c.Format != nil {
		return c.Format(s.Values[i])
	}
	return trimFloat(s.Values[i])
}

func trimFloat(x float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.1f", x), "0"), ".")
}

// niceMax rounds a maximum up to four grid steps of 1, 2 or 5 × 10^n, so
// that the grid lines fall on round numbers; counts never get a step below 1.
func niceMax(x float64) float64 {
	if x <= 0 {
		x = 1
	}
	raw := x / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * p
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*p {
			step = m * p
			break
		}
	}
	return 4 * step
}

// countMax is niceMax for counts: whole-number grid lines.
func countMax(x float64) float64 { return math.Max(4, niceMax(x)) }

func esc(s string) string { return html.EscapeString(s) }

// columnChart draws grouped vertical columns: one group per label, one
// column per series.
func columnChart(title string, labels []string, ss []series, format func(float64) string) chart {
	const w, h, left, right, top, bottom = 640.0, 260.0, 40.0, 10.0, 16.0, 46.0
	max := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			max = math.Max(max, v)
		}
	}
	max = countMax(max)
	if format == nil {
		format = trimFloat
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s" preserveAspectRatio="xMidYMid meet">`, w, h, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	plotH := h - top - bottom
	for i := 0; i <= 4; i++ {
		y := top + plotH*float64(i)/4
		fmt.Fprintf(&b, `<line class="grid-line" x1="%g" y1="%.1f" x2="%g" y2="%.1f"/>`, left, y, w-right, y)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, esc(format(max*float64(4-i)/4)))
	}
	n := len(labels)
	if n > 0 {
		groupW := (w - left - right) / float64(n)
		colW := math.Min(36, (groupW*0.75)/float64(max1(len(ss))))
		for i, lab := range labels {
			gx := left + groupW*float64(i) + (groupW-colW*float64(len(ss)))/2
			for j, s := range ss {
				v := 0.0
				if i < len(s.Values) {
					v = s.Values[i]
				}
				bh := plotH * v / max
				x, y := gx+colW*float64(j), top+plotH-bh
				fmt.Fprintf(&b, `<rect class="s%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2"><title>%s — %s : %s</title></rect>`,
					j%4, x, y, colW-2, bh, esc(lab), esc(s.Name), esc(format(v)))
				if v > 0 {
					fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+colW/2-1, y-4, esc(format(v)))
				}
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, left+groupW*(float64(i)+0.5), h-bottom+18, esc(shorten(lab, int(groupW/7))))
		}
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%g" y1="%g" x2="%g" y2="%g"/>`, left, top+plotH, w-right, top+plotH)
	b.WriteString(`</svg>`)
	return chart{SVG: template.HTML(b.String()), Labels: labels, Series: ss, Format: format}
}

// barChart draws one horizontal bar per label, for long labels (component
// titles) and rates.
func barChart(title string, labels []string, s series, max float64, format func(float64) string) chart {
	const w, left, right, rowH, top = 640.0, 180.0, 60.0, 30.0, 8.0
	h := top*2 + rowH*float64(max1(len(labels)))
	if max <= 0 {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				max = math.Max(max, v)
			}
		}
		max = niceMax(max)
	}
	if format == nil {
		format = trimFloat
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s">`, w, h, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	for i, lab := range labels {
		v := 0.0
		if i < len(s.Values) {
			v = s.Values[i]
		}
		y := top + rowH*float64(i)
		shown := format(v)
		if math.IsNaN(v) {
			v, shown = 0, noData
		}
		bw := (w - left - right) * v / max
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`, left-8, y+rowH/2+4, esc(shorten(lab, 26)))
		fmt.Fprintf(&b, `<rect class="track" x="%g" y="%.1f" width="%g" height="%.1f" rx="3"/>`, left, y+5, w-left-right, rowH-10)
		fmt.Fprintf(&b, `<rect class="s1" x="%g" y="%.1f" width="%.1f" height="%.1f" rx="3"><title>%s : %s</title></rect>`, left, y+5, bw, rowH-10, esc(lab), esc(shown))
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f">%s</text>`, left+bw+6, y+rowH/2+4, esc(shown))
	}
	b.WriteString(`</svg>`)
	return chart{SVG: template.HTML(b.String()), Labels: labels, Series: []series{s}, Format: format}
}

// lineChart draws one line per series over the labels (months).
func lineChart(title string, labels []string, ss []series, format func(float64) string) chart {
	const w, h, left, right, top, bottom = 640.0, 240.0, 40.0, 16.0, 16.0, 40.0
	max := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			max = math.Max(max, v)
		}
	}
	max = countMax(max)
	if format == nil {
		format = trimFloat
	}
	plotH, plotW := h-top-bottom, w-left-right
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s">`, w, h, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	for i := 0; i <= 4; i++ {
		y := top + plotH*float64(i)/4
		fmt.Fprintf(&b, `<line class="grid-line" x1="%g" y1="%.1f" x2="%g" y2="%.1f"/>`, left, y, w-right, y)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, esc(format(max*float64(4-i)/4)))
	}
	step := plotW
	if len(labels) > 1 {
		step = plotW / float64(len(labels)-1)
	}
	x := func(i int) float64 {
		if len(labels) == 1 {
			return left + plotW/2
		}
		return left + step*float64(i)
	}
	every := 1
	if len(labels) > 8 {
		every = 2
	}
	// Counted from the last label (the current month, always named), so
	// that two labels are never side by side.
	for i, lab := range labels {
		if (len(labels)-1-i)%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`, x(i), h-bottom+18, esc(lab))
		}
	}
	colours := []string{"#1d4e89", "#0f766e", "#b45309", "#6d28d9"}
	for j, s := range ss {
		var pts []string
		for i, v := range s.Values {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), top+plotH-plotH*v/max))
		}
		fmt.Fprintf(&b, `<polyline class="line" stroke="%s" points="%s"/>`, colours[j%4], strings.Join(pts, " "))
		for i, v := range s.Values {
			lab := ""
			if i < len(labels) {
				lab = labels[i]
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s — %s : %s</title></circle>`,
				x(i), top+plotH-plotH*v/max, colours[j%4], esc(lab), esc(s.Name), esc(format(v)))
		}
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%g" y1="%g" x2="%g" y2="%g"/>`, left, top+plotH, w-right, top+plotH)
	b.WriteString(`</svg>`)
	return chart{SVG: template.HTML(b.String()), Labels: labels, Series: ss, Format: format}
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// shorten cuts a label to n runes with an ellipsis.
func shorten(s string, n int) string {
	if n < 4 {
		n = 4
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
