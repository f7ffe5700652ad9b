package law

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// contractExample is the request of the API contract ("Case analysis", OpenAPI: /rules/evaluate).
const contractExample = `{"as_of":"2026-11-22",
 "creditor":{"kind":"professional"},
 "debtor":{"kind":"consumer","over_indebtedness":"none","protection":"none",
   "collective_proceeding":{"kind":"none"}},
 "claim":{"kind":"consumer","principal":480.00,"starts_on":"2024-11-22",
   "events":[{"kind":"partial_payment","on":"2025-01-15","amount":50.00}],
   "requested_items":[{"kind":"collection_fee","label":"Frais de recouvrement","amount":45.00}],
   "late_penalty":{"rate_percent":7.86}},
 "letter":{"collector_identity":true,"states_amicable_collection":true,"creditor_identity":true,
   "itemised_amounts":true,"payment_demand":true,"reproduces_l111_8":true,
   "imitates_judicial_act":false,"threatens_court_action":false},
 "household":{"monthly_net_income":1500.00,"monthly_charges":700.00,"dependants":0,
   "proposed_instalment":200.00}}`

func decode(t *testing.T, raw string) Input {
	t.Helper()
	var in Input
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return in
}

func TestEvaluate_ContractExampleAnswersEveryPart(t *testing.T) {
	in := decode(t, contractExample)
	if probs := Check(in); len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	out := Evaluate(in, params(t))
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]any
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"limitation": {"period_years", "rule", "last_day", "barred", "interrupted_by"},
		"claimable":  {"principal", "allowed", "refused", "total"},
		"letter":     {"compliant", "missing", "violations"},
		"plan":       {"monthly_seizable", "max_instalment", "remaining_income", "sustainable", "rule"},
		"situation":  {"amicable_collection_allowed", "accept_payments", "contacts", "deadlines", "next_steps"},
	}
	got = map[string]map[string]any{}
	for part, keys := range want {
		var m map[string]any
		if err := json.Unmarshal(raw[part], &m); err != nil {
			t.Fatalf("%s: %v", part, err)
		}
		got[part] = m
		for _, k := range keys {
			v, ok := m[k]
			if !ok {
				t.Errorf("%s.%s is missing", part, k)
			}
			if v == nil {
				t.Errorf("%s.%s is null (lists are [] when empty)", part, k)
			}
		}
	}
	if !strings.Contains(string(raw["findings"]), `"severity"`) {
		t.Errorf("findings: %s", raw["findings"])
	}
	// The figures the contract shows for this household, and the claim.
	if got["plan"]["monthly_seizable"] != 234.76 || got["plan"]["max_instalment"] != 153.48 || got["plan"]["remaining_income"] != 600.0 {
		t.Errorf("plan %v", got["plan"])
	}
	if got["claimable"]["principal"] != 430.0 || got["limitation"]["last_day"] != "2027-01-15" {
		t.Errorf("claimable %v limitation %v", got["claimable"], got["limitation"])
	}
	for _, f := range out.Findings {
		if f.Severity != Blocking && f.Severity != Warning && f.Severity != Info {
			t.Errorf("finding %s has severity %q", f.Code, f.Severity)
		}
		if f.Message == "" || f.Code == "" {
			t.Errorf("empty finding %+v", f)
		}
	}
}

func TestEvaluate_PartsArePresentOnlyWithTheirInput(t *testing.T) {
	out := Evaluate(file("consumer", "2025-01-10", "2025-06-01"), params(t))
	if out.Letter != nil || out.Plan != nil {
		t.Errorf("letter %v plan %v without their input", out.Letter, out.Plan)
	}
	if out.Limitation == nil || out.Claimable == nil || out.Situation == nil {
		t.Error("the claim's parts are always answered")
	}
	b, _ := json.Marshal(out)
	if strings.Contains(string(b), `"letter"`) || strings.Contains(string(b), `"plan"`) {
		t.Errorf("absent parts are left out of the JSON: %s", b)
	}
}

func TestEvaluate_WithoutClaimOrParameters(t *testing.T) {
	out := Evaluate(Input{AsOf: d("2025-06-01")}, params(t))
	if !hasFinding(out, CodeClaimMissing) || out.Findings == nil {
		t.Fatalf("findings %v", findingCodes(out))
	}
	b, _ := json.Marshal(out)
	if !strings.Contains(string(b), `"findings":[`) {
		t.Errorf("findings must be a list: %s", b)
	}
	// Empty tables: no panic, blocking findings instead of figures.
	in := decode(t, contractExample)
	in.Claim.Kind = "commercial"
	in.Creditor, in.Debtor = nil, nil
	in.Claim.RequestedItems = append(in.Claim.RequestedItems, RequestedItem{Kind: "fixed_indemnity", Amount: eur("40")})
	out = Evaluate(in, Parameters{})
	if out.Plan != nil || !hasFinding(out, CodeParameterMissing) {
		t.Errorf("plan %v findings %v", out.Plan, findingCodes(out))
	}
}

func TestEvaluate_FullFileFixture(t *testing.T) {
	data, err := os.ReadFile("testdata/full.json")
	if err != nil {
		t.Fatal(err)
	}
	in := decode(t, string(data))
	if probs := Check(in); len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	out := Evaluate(in, params(t))
	if out.Limitation == nil || out.Claimable == nil || out.Letter == nil || out.Plan == nil || out.Situation == nil {
		t.Fatalf("a full file answers every part: %+v", out)
	}
	checkTotal(t, out)
	// Two professionals, 4 800 € due 2024-10-31, 800 € paid on 2025-02-10,
	// acknowledged on 2025-06-03: 5 years from the acknowledgment.
	if out.Limitation.LastDay != d("2030-06-03") || out.Claimable.Principal != eur("4000") {
		t.Errorf("limitation %+v principal %s", *out.Limitation, out.Claimable.Principal)
	}
	if got, _ := allowedOf(out, "fixed_indemnity"); got != eur("40") {
		t.Errorf("fixed indemnity %s", got)
	}
}
