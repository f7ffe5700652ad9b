package law

import (
	"encoding/json"
	"os"
	"testing"
)

// FuzzEvaluate feeds arbitrary JSON through the path the API and the CLI
// take: decode, Check, then Evaluate when Check finds nothing. No input may
// panic, and every answer must be coherent and encodable.
func FuzzEvaluate(f *testing.F) {
	p := params(f)
	full, err := os.ReadFile("testdata/full.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(contractExample))
	f.Add([]byte(`{"as_of":"2026-02-28","claim":{"kind":"consumer_credit","principal":0.01,"starts_on":"2024-02-29"}}`))
	f.Add([]byte(`{"as_of":"2025-06-01","debtor":{"kind":"professional","collective_proceeding":{"kind":"liquidation","published_on":"2025-03-31"},"deceased_on":"2025-01-31"},"claim":{"kind":"commercial","principal":100000000,"starts_on":"1900-01-01","events":[{"kind":"court_claim","on":"1900-01-01"}],"late_penalty":{"rate_percent":100}},"household":{"monthly_net_income":100000000,"dependants":20}}`))
	f.Add([]byte(`{"as_of":"2025-06-01","claim":{"kind":"residential_rent","principal":"12.345","starts_on":"2025-01-01","late_penalty":{"rate_percent":"1e1"}}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))

	f.Fuzz(func(t *testing.T, data []byte) {
		var in Input
		if json.Unmarshal(data, &in) != nil {
			return // the API answers 400
		}
		if len(Check(in)) > 0 {
			return // the API answers 422
		}
		out := Evaluate(in, p)
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("output does not encode: %v", err)
		}
		_ = Render(out)
		if out.Limitation == nil || out.Claimable == nil || out.Situation == nil {
			t.Fatalf("a checked file answers limitation, claimable and situation: %+v", out)
		}
		sum := out.Claimable.Principal
		for _, it := range out.Claimable.Allowed {
			if it.Amount < 0 {
				t.Fatalf("negative allowed item %+v", it)
			}
			sum += it.Amount
		}
		if sum != out.Claimable.Total || out.Claimable.Principal < 0 {
			t.Fatalf("claimable incoherent: %+v", *out.Claimable)
		}
		if pl := out.Plan; pl != nil && (pl.MaxInstalment < 0 || pl.MaxInstalment > pl.MonthlySeizable) {
			t.Fatalf("plan incoherent: %+v", *pl)
		}
		if (in.Letter != nil) != (out.Letter != nil) || (in.Household != nil) != (out.Plan != nil) {
			t.Fatal("a part is present exactly when its input is")
		}
		for _, fd := range out.Findings {
			if fd.Severity != Blocking && fd.Severity != Warning && fd.Severity != Info {
				t.Fatalf("severity %q", fd.Severity)
			}
		}
	})
}
