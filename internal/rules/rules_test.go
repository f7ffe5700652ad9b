package rules_test

import (
	"strings"
	"testing"

	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/platform/auth"
)

const fullFile = `{"as_of":"2026-03-02",
 "creditor":{"kind":"professional"},
 "debtor":{"kind":"consumer","over_indebtedness":"none","protection":"none"},
 "claim":{"kind":"consumer","principal":480.00,"starts_on":"2024-03-01",
   "events":[{"kind":"partial_payment","on":"2024-06-10","amount":50.00},{"kind":"reminder","on":"2024-09-01"}],
   "requested_items":[{"kind":"collection_fee","label":"Frais de recouvrement","amount":45.00}]},
 "letter":{"collector_identity":true,"states_amicable_collection":true,"creditor_identity":true,
   "itemised_amounts":false,"payment_demand":true,"reproduces_l111_8":false,
   "imitates_judicial_act":true,"threatens_court_action":false},
 "household":{"monthly_net_income":1500.00,"monthly_charges":700.00,"dependants":0,"proposed_instalment":200.00}}`

func TestEvaluate_AnswersEveryPartOfAFullFile(t *testing.T) {
	env := apptest.New(t)
	_, tok := env.User(t, auth.RoleCandidate)
	res := env.Do(t, "POST", "/api/v1/rules/evaluate", tok, fullFile)
	if res.Status != 200 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	var out struct {
		Limitation *struct {
			PeriodYears int    `json:"period_years"`
			Rule        string `json:"rule"`
			LastDay     string `json:"last_day"`
			Barred      bool   `json:"barred"`
		} `json:"limitation"`
		Claimable *struct {
			Principal float64 `json:"principal"`
			Refused   []struct{ Kind, Rule string }
		} `json:"claimable"`
		Letter *struct {
			Compliant  bool     `json:"compliant"`
			Missing    []string `json:"missing"`
			Violations []string `json:"violations"`
		} `json:"letter"`
		Plan      *struct{ Rule string } `json:"plan"`
		Situation *struct{}              `json:"situation"`
		Findings  []struct{ Code, Severity, Rule, Message string }
	}
	res.JSON(t, &out)
	if out.Limitation == nil || out.Claimable == nil || out.Letter == nil || out.Plan == nil || out.Situation == nil {
		t.Fatalf("a part is missing: %s", res.Body)
	}
	// L218-2: two years from the partial payment of 2024-06-10 (which interrupts).
	if out.Limitation.PeriodYears != 2 || out.Limitation.Rule != "C. conso. L218-2" || out.Limitation.LastDay != "2026-06-10" || out.Limitation.Barred {
		t.Fatalf("limitation %+v", out.Limitation)
	}
	if out.Claimable.Principal != 430 || len(out.Claimable.Refused) != 1 || out.Claimable.Refused[0].Kind != "collection_fee" {
		t.Fatalf("claimable %+v", out.Claimable)
	}
	if out.Letter.Compliant || strings.Join(out.Letter.Missing, ",") != "R124-4-3,R124-4-5" {
		t.Fatalf("letter %+v", out.Letter)
	}
	if len(out.Letter.Violations) == 0 || out.Letter.Violations[0] != "C-PEN-433-13" {
		t.Fatalf("violations %v", out.Letter.Violations)
	}
	if len(out.Findings) == 0 || out.Findings[0].Message == "" {
		t.Fatalf("no findings")
	}
}

func TestEvaluate_RefusesBadInputWithTheFieldNamed(t *testing.T) {
	env := apptest.New(t)
	_, tok := env.User(t, auth.RoleTrainer)
	cases := []struct {
		name, body string
		status     int
		field      string
	}{
		{"malformed", `{"as_of":"2026-03-02",`, 400, ""},
		{"impossible date", `{"as_of":"2026-03-02","claim":{"kind":"consumer","principal":10,"starts_on":"2025-02-30"}}`, 422, "claim.starts_on"},
		{"impossible as_of", `{"as_of":"2026-02-30","claim":{"kind":"consumer","principal":10,"starts_on":"2025-01-01"}}`, 422, "as_of"},
		{"unknown kind", `{"as_of":"2026-03-02","claim":{"kind":"loan","principal":10,"starts_on":"2025-01-01"}}`, 422, "claim.kind"},
		{"negative principal", `{"as_of":"2026-03-02","claim":{"kind":"consumer","principal":-10,"starts_on":"2025-01-01"}}`, 422, "claim.principal"},
		{"no claim", `{"as_of":"2026-03-02"}`, 422, "claim"},
		{"event after as_of", `{"as_of":"2026-03-02","claim":{"kind":"consumer","principal":10,"starts_on":"2025-01-01","events":[{"kind":"partial_payment","on":"2026-05-01","amount":5}]}}`, 422, "claim.events[0].on"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, "POST", "/api/v1/rules/evaluate", tok, tc.body)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			p := res.Problem(t)
			if tc.field != "" && !p.HasField(tc.field) {
				t.Fatalf("field %s not named: %s", tc.field, res.Body)
			}
		})
	}
	if res := env.Do(t, "POST", "/api/v1/rules/evaluate", "", fullFile); res.Status != 401 {
		t.Fatalf("anonymous: %d", res.Status)
	}
}
