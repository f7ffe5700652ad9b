package scenario

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/money"
)

// Placeholders in documents, prompts, labels and explanations:
//
//	{{principal}}                      an alias (below) or a variant's name
//	{{claim.events[0].on}}             any path of the case
//	{{starts_on-30d}}                  a date moved by days, months (m) or years (y)
//	{{out.limitation.last_day}}        a path of the engine output (feedback only)
//	{{out.limitation.barred|est prescrite|n'est pas prescrite}}  yes/no text
//
// Values are written the French way: 1 234,56 €, 22 novembre 2026, oui/non.

var aliases = map[string]string{
	"as_of":        "as_of",
	"principal":    "claim.principal",
	"starts_on":    "claim.starts_on",
	"income":       "household.monthly_net_income",
	"charges":      "household.monthly_charges",
	"dependants":   "household.dependants",
	"instalment":   "household.proposed_instalment",
	"deceased_on":  "debtor.deceased_on",
	"published_on": "debtor.collective_proceeding.published_on",
}

var (
	placeholderRe = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
	offsetRe      = regexp.MustCompile(`^(.*?)\s*([+-])(\d+)([dmy])$`)
)

type renderer struct {
	s    Scenario
	in   *law.Input
	out  *law.Output // nil while drawing: documents cannot use out.
	errs []error
}

func (r *renderer) render(src string) string {
	// Inner placeholders first, so {{a|yes, until {{b}}|no}} works: passes go
	// on until nothing changes; what still fails then is reported.
	for range 4 {
		if !strings.Contains(src, "{{") {
			return src
		}
		var errs []error
		next := placeholderRe.ReplaceAllStringFunc(src, func(m string) string {
			body := strings.TrimSpace(m[2 : len(m)-2])
			s, err := r.value(body)
			if err != nil {
				errs = append(errs, fmt.Errorf("placeholder %s: %w", m, err))
				return m
			}
			return s
		})
		if next == src {
			r.errs = append(r.errs, errs...)
			return src
		}
		src = next
	}
	return src
}

func (r *renderer) value(body string) (string, error) {
	parts := strings.Split(body, "|")
	ref := strings.TrimSpace(parts[0])
	if len(parts) != 1 && len(parts) != 3 {
		return "", fmt.Errorf("write {{path}} or {{path|if yes|if no}}")
	}
	var offN int
	var offUnit byte
	if m := offsetRe.FindStringSubmatch(ref); m != nil {
		n, _ := strconv.Atoi(m[3])
		if m[2] == "-" {
			n = -n
		}
		ref, offN, offUnit = strings.TrimSpace(m[1]), n, m[4][0]
	}
	var ev evaluation
	var err error
	if rest, ok := strings.CutPrefix(ref, "out."); ok {
		if r.out == nil {
			return "", fmt.Errorf("the engine output is not known here")
		}
		ev, err = evalExpr(*r.out, rest)
	} else {
		if a, ok := r.alias(ref); ok {
			ref = a
		}
		ev, err = evalExpr(*r.in, ref)
	}
	if err != nil {
		return "", err
	}
	v := ev.val
	if offUnit != 0 {
		d, ok := v.(civil.Date)
		if !ok || d.IsZero() {
			return "", fmt.Errorf("only a date can be moved")
		}
		switch offUnit {
		case 'd':
			v = d.AddDays(offN)
		case 'm':
			v = d.AddMonths(offN)
		case 'y':
			v = d.AddYears(offN)
		}
	}
	if len(parts) == 3 {
		b, ok := v.(bool)
		if !ok {
			return "", fmt.Errorf("{{x|yes|no}} needs a yes/no value")
		}
		if b {
			return strings.TrimSpace(parts[1]), nil
		}
		return strings.TrimSpace(parts[2]), nil
	}
	return French(v), nil
}

func (r *renderer) alias(name string) (string, bool) {
	for _, v := range r.s.Variants {
		if v.Name == name && len(v.Paths) > 0 {
			return v.Paths[0], true
		}
	}
	p, ok := aliases[name]
	return p, ok
}

// French writes an engine value for a French reader.
func French(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case bool:
		if x {
			return "oui"
		}
		return "non"
	case int64:
		return strconv.FormatInt(x, 10)
	case money.Cents:
		return x.French()
	case civil.Date:
		return x.French()
	case law.Rate:
		return x.French()
	case string:
		return Label(x)
	case []any:
		if len(x) == 0 {
			return "aucun"
		}
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = French(y)
		}
		return strings.Join(parts, " ; ")
	}
	return fmt.Sprint(v)
}
