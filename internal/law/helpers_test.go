package law

import (
	"os"
	"sync"
	"testing"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/money"
)

var (
	seedOnce   sync.Once
	seedParams Parameters
	seedErr    error
)

// params loads the real seed/parameters.json, as the referential will.
func params(tb testing.TB) Parameters {
	tb.Helper()
	seedOnce.Do(func() {
		data, err := os.ReadFile("../../seed/parameters.json")
		if err != nil {
			seedErr = err
			return
		}
		seedParams, seedErr = ParseParameters(data)
	})
	if seedErr != nil {
		tb.Fatalf("load seed parameters: %v", seedErr)
	}
	return seedParams
}

func d(s string) civil.Date { return civil.MustParse(s) }

func eur(s string) money.Cents {
	c, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return c
}

// file builds a minimal valid input: a claim of kind, principal 480 €,
// starting on start, analysed on asOf.
func file(kind, start, asOf string) Input {
	return Input{AsOf: d(asOf), Claim: &Claim{Kind: kind, Principal: eur("480"), StartsOn: d(start)}}
}

func findingCodes(out Output) []string {
	codes := make([]string, len(out.Findings))
	for i, f := range out.Findings {
		codes[i] = f.Code
	}
	return codes
}

func hasFinding(out Output, code string) bool {
	for _, f := range out.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

func finding(out Output, code string) (Finding, bool) {
	for _, f := range out.Findings {
		if f.Code == code {
			return f, true
		}
	}
	return Finding{}, false
}

var noDate civil.Date
