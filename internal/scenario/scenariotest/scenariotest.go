// Package scenariotest holds test helpers shared by the packages that grade
// scenarios; it is imported by tests only.
package scenariotest

import (
	"encoding/json"
	"slices"

	"github.com/ancr/cqp/internal/scenario"
)

// WrongSheet turns each perfect answer into a wrong one of the same shape:
// another option, a far number or date, shifted plan figures, an impossible
// call. Tests of grading (scenario) and of attempts (training) share it.
func WrongSheet(sc scenario.Scenario, perfect map[string]json.RawMessage) map[string]json.RawMessage {
	wrong := map[string]json.RawMessage{}
	for _, tk := range sc.Tasks {
		raw := perfect[tk.ID]
		switch tk.Type {
		case scenario.SingleChoice:
			var id string
			_ = json.Unmarshal(raw, &id)
			for _, o := range tk.Options {
				if o.ID != id {
					wrong[tk.ID], _ = json.Marshal(o.ID)
					break
				}
			}
		case scenario.MultipleChoice, scenario.LetterMentions:
			var ids []string
			_ = json.Unmarshal(raw, &ids)
			opts := tk.Options
			if len(opts) == 0 {
				opts = scenario.DefaultLetterOptions()
			}
			other := []string{}
			for _, o := range opts {
				if !slices.Contains(ids, o.ID) {
					other = append(other, o.ID)
				}
			}
			wrong[tk.ID], _ = json.Marshal(other)
		case scenario.Number:
			var x float64
			_ = json.Unmarshal(raw, &x)
			wrong[tk.ID], _ = json.Marshal(x + 1000)
		case scenario.DateTask:
			wrong[tk.ID] = json.RawMessage(`"1999-01-01"`)
		case scenario.PlanTask:
			var obj map[string]any
			_ = json.Unmarshal(raw, &obj)
			for k, v := range obj {
				switch x := v.(type) {
				case bool:
					obj[k] = !x
				case float64:
					obj[k] = x + 5000
				}
			}
			wrong[tk.ID], _ = json.Marshal(obj)
		case scenario.DialogueTask:
			wrong[tk.ID] = json.RawMessage(`["r999"]`)
		}
	}
	return wrong
}
