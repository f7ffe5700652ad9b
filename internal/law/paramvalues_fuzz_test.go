package law

import (
	"encoding/json"
	"testing"
)

// FuzzCheckParamValue: whatever an administrator posts, the check answers
// problems or a value that assembles — never a panic, never a value the
// engine cannot load.
func FuzzCheckParamValue(f *testing.F) {
	f.Add(0, "2026-07-01", "", `{"consumer_creditor":6.5,"other":2.5}`)
	f.Add(2, "2027-01-01", "", `{"per_dependant":1760,"bands":[{"up_to":4520,"fraction":"1/20"},{"fraction":"1/1"}]}`)
	f.Add(2, "2027-01-01", "", `{"bands":[null,{"up_to":"x","fraction":"1/0"},{"fraction":" "}]}`)
	f.Add(3, "2026-04-01", "2026-03-01", `{"amount":1e400}`)
	f.Add(1, "2026-13-45", "x", `[1,2]`)
	f.Fuzz(func(t *testing.T, table int, from, to, values string) {
		tb := ParamTables[(table%len(ParamTables)+len(ParamTables))%len(ParamTables)]
		v, ps := CheckParamValue(tb, ParamInput{From: from, To: to, Values: json.RawMessage(values)})
		if len(ps) > 0 {
			return
		}
		if _, err := AssembleParameters([]ParamValue{v}); err != nil {
			t.Fatalf("accepted %+v does not assemble: %v", v, err)
		}
	})
}
