package law

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/money"
)

// The parameter file (seed/parameters.json) is one JSON object:
//
//	{
//	  "$comment": "free text",
//	  "legal_interest_rate":       [{"from","to","consumer_creditor","other","source"}],   // percent, CMF L313-2
//	  "ecb_main_refinancing_rate": [{"from","to","rate","source"}],                        // percent, in force on 1 Jan / 1 Jul
//	  "seizure_scale":             [{"year","per_dependant","bands":[{"up_to","fraction"}],"source"}],
//	  "rsa_single_person":         [{"from","to","amount","source"}],                      // euros per month
//	  "fixed_indemnity":           [{"from","to","amount","source"}],                      // euros per invoice
//	  "small_claims_ceiling":      [{"from","to","amount","source"}]                       // euros, interest included
//	}
//
// Dates are YYYY-MM-DD, rates are JSON numbers of percent (7.86 is 7,86 %),
// amounts JSON numbers of euros. Each table is sorted by date, without
// overlap. "to" is the last day a value is known to hold; without it the value
// holds until the next entry. A seizure band without "up_to" is the open top
// band; "fraction" is "numerator/denominator" ("1/20", "2/3", "1/1").
// "source" says where a value comes from and is not read by the engine.

type paramsFile struct {
	Comment            string            `json:"$comment"`
	LegalInterestRate  []legalRateJSON   `json:"legal_interest_rate"`
	ECBRate            []datedRateJSON   `json:"ecb_main_refinancing_rate"`
	SeizureScale       []seizureJSON     `json:"seizure_scale"`
	RSA                []datedAmountJSON `json:"rsa_single_person"`
	FixedIndemnity     []datedAmountJSON `json:"fixed_indemnity"`
	SmallClaimsCeiling []datedAmountJSON `json:"small_claims_ceiling"`
}

type legalRateJSON struct {
	From             civil.Date `json:"from"`
	To               civil.Date `json:"to"`
	ConsumerCreditor *Rate      `json:"consumer_creditor"`
	Other            *Rate      `json:"other"`
	Source           string     `json:"source"`
}

type datedRateJSON struct {
	From   civil.Date `json:"from"`
	To     civil.Date `json:"to"`
	Rate   *Rate      `json:"rate"`
	Source string     `json:"source"`
}

type datedAmountJSON struct {
	From   civil.Date   `json:"from"`
	To     civil.Date   `json:"to"`
	Amount *money.Cents `json:"amount"`
	Source string       `json:"source"`
}

type seizureJSON struct {
	Year         int           `json:"year"`
	PerDependant *money.Cents  `json:"per_dependant"`
	Bands        []seizureBand `json:"bands"`
	Source       string        `json:"source"`
}

type seizureBand struct {
	UpTo     *money.Cents `json:"up_to"`
	Fraction string       `json:"fraction"`
}

// ParseParameters reads the parameter file described above and checks that
// every table is present, ordered and coherent. It is pure: the referential
// package embeds the file and hands its bytes over.
func ParseParameters(data []byte) (Parameters, error) {
	var f paramsFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt key must not silently drop a table
	if err := dec.Decode(&f); err != nil {
		return Parameters{}, fmt.Errorf("parameters: %w", err)
	}
	var p Parameters
	var err error
	if p.LegalInterest, err = parseLegalRates(f.LegalInterestRate); err != nil {
		return Parameters{}, err
	}
	if p.ECBRate, err = parseDatedRates("ecb_main_refinancing_rate", f.ECBRate); err != nil {
		return Parameters{}, err
	}
	if p.SeizureScales, err = parseScales(f.SeizureScale); err != nil {
		return Parameters{}, err
	}
	tables := []struct {
		name string
		in   []datedAmountJSON
		out  *[]DatedAmount
	}{
		{"rsa_single_person", f.RSA, &p.RSA},
		{"fixed_indemnity", f.FixedIndemnity, &p.FixedIndemnity},
		{"small_claims_ceiling", f.SmallClaimsCeiling, &p.SmallClaimsCeiling},
	}
	for _, t := range tables {
		if *t.out, err = parseDatedAmounts(t.name, t.in); err != nil {
			return Parameters{}, err
		}
	}
	return p, nil
}

func parseLegalRates(in []legalRateJSON) ([]LegalInterestRate, error) {
	const name = "legal_interest_rate"
	if len(in) == 0 {
		return nil, fmt.Errorf("parameters: %s: empty table", name)
	}
	out := make([]LegalInterestRate, 0, len(in))
	for i, e := range in {
		if err := checkSpan(name, i, e.From, e.To, true); err != nil {
			return nil, err
		}
		if e.ConsumerCreditor == nil || e.Other == nil || *e.ConsumerCreditor < 0 || *e.Other < 0 {
			return nil, fmt.Errorf("parameters: %s[%d]: consumer_creditor and other must be rates >= 0", name, i)
		}
		if i > 0 && !e.From.After(in[i-1].To) {
			return nil, fmt.Errorf("parameters: %s[%d]: starts on %s, before the previous entry ends", name, i, e.From)
		}
		out = append(out, LegalInterestRate{From: e.From, To: e.To, ConsumerCreditor: *e.ConsumerCreditor, Other: *e.Other})
	}
	return out, nil
}

func parseDatedRates(name string, in []datedRateJSON) ([]DatedRate, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("parameters: %s: empty table", name)
	}
	out := make([]DatedRate, 0, len(in))
	for i, e := range in {
		if err := checkSpan(name, i, e.From, e.To, true); err != nil {
			return nil, err
		}
		if e.Rate == nil || *e.Rate < 0 {
			return nil, fmt.Errorf("parameters: %s[%d]: rate must be >= 0", name, i)
		}
		if i > 0 && !e.From.After(in[i-1].To) {
			return nil, fmt.Errorf("parameters: %s[%d]: starts on %s, before the previous entry ends", name, i, e.From)
		}
		out = append(out, DatedRate{From: e.From, To: e.To, Rate: *e.Rate})
	}
	return out, nil
}

func parseDatedAmounts(name string, in []datedAmountJSON) ([]DatedAmount, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("parameters: %s: empty table", name)
	}
	out := make([]DatedAmount, 0, len(in))
	for i, e := range in {
		if err := checkSpan(name, i, e.From, e.To, false); err != nil {
			return nil, err
		}
		if e.Amount == nil || *e.Amount < 0 {
			return nil, fmt.Errorf("parameters: %s[%d]: amount must be >= 0", name, i)
		}
		if i > 0 {
			prev := in[i-1]
			if !e.From.After(prev.From) || (!prev.To.IsZero() && !e.From.After(prev.To)) {
				return nil, fmt.Errorf("parameters: %s[%d]: starts on %s, before the previous entry ends", name, i, e.From)
			}
		}
		out = append(out, DatedAmount{From: e.From, To: e.To, Amount: *e.Amount})
	}
	return out, nil
}

func checkSpan(name string, i int, from, to civil.Date, needTo bool) error {
	switch {
	case from.IsZero():
		return fmt.Errorf("parameters: %s[%d]: from is required", name, i)
	case needTo && to.IsZero():
		return fmt.Errorf("parameters: %s[%d]: to is required", name, i)
	case !to.IsZero() && to.Before(from):
		return fmt.Errorf("parameters: %s[%d]: to %s is before from %s", name, i, to, from)
	}
	return nil
}

func parseScales(in []seizureJSON) ([]SeizureScale, error) {
	const name = "seizure_scale"
	if len(in) == 0 {
		return nil, fmt.Errorf("parameters: %s: empty table", name)
	}
	out := make([]SeizureScale, 0, len(in))
	for i, e := range in {
		if e.Year < 1900 || e.Year > 9999 {
			return nil, fmt.Errorf("parameters: %s[%d]: year %d out of range", name, i, e.Year)
		}
		if i > 0 && e.Year <= in[i-1].Year {
			return nil, fmt.Errorf("parameters: %s[%d]: years must increase", name, i)
		}
		if e.PerDependant == nil || *e.PerDependant < 0 {
			return nil, fmt.Errorf("parameters: %s[%d]: per_dependant must be >= 0", name, i)
		}
		if len(e.Bands) < 2 {
			return nil, fmt.Errorf("parameters: %s[%d]: at least two bands are needed", name, i)
		}
		s := SeizureScale{Year: e.Year, PerDependant: *e.PerDependant}
		var prev money.Cents
		for j, b := range e.Bands {
			last := j == len(e.Bands)-1
			switch {
			case last && b.UpTo != nil:
				return nil, fmt.Errorf("parameters: %s[%d].bands[%d]: the top band has no up_to", name, i, j)
			case !last && (b.UpTo == nil || *b.UpTo <= prev):
				return nil, fmt.Errorf("parameters: %s[%d].bands[%d]: up_to must be present and increase", name, i, j)
			}
			num, den, err := parseFraction(b.Fraction)
			if err != nil {
				return nil, fmt.Errorf("parameters: %s[%d].bands[%d]: %w", name, i, j, err)
			}
			band := SeizureBand{Numerator: num, Denominator: den}
			if !last {
				band.UpTo, prev = *b.UpTo, *b.UpTo
			}
			s.Bands = append(s.Bands, band)
		}
		out = append(out, s)
	}
	return out, nil
}

func parseFraction(s string) (num, den int64, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		num, err = strconv.ParseInt(strings.TrimSpace(a), 10, 64)
		if err == nil {
			den, err = strconv.ParseInt(strings.TrimSpace(b), 10, 64)
		}
	}
	if !ok || err != nil || den <= 0 || den > 1000 || num < 0 || num > den {
		return 0, 0, fmt.Errorf("fraction %q: expected n/d with 0 <= n <= d <= 1000", s)
	}
	return num, den, nil
}

// How a looked-up value relates to the day asked for.
type paramFit int

const (
	fitExact  paramFit = iota // the table covers the day
	fitLatest                 // the day is past the last known one: latest value used
	fitFirst                  // the day is before the first entry: earliest value used
	fitNone                   // the table is empty
)

// pickSpan returns the entry of a date-sorted table in force on d. from and to
// give an entry's bounds (to zero: until the next entry). Past the table it
// answers the latest value, before it the earliest, and says so.
func pickSpan(n int, from, to func(int) civil.Date, d civil.Date) (int, paramFit) {
	if n == 0 {
		return -1, fitNone
	}
	for i := n - 1; i >= 0; i-- {
		if from(i).After(d) {
			continue
		}
		if t := to(i); t.IsZero() || !d.After(t) {
			return i, fitExact
		}
		return i, fitLatest // past its known end, in a gap or after the table
	}
	return 0, fitFirst
}

func (p Parameters) legalRateOn(d civil.Date) (LegalInterestRate, paramFit) {
	t := p.LegalInterest
	i, fit := pickSpan(len(t), func(i int) civil.Date { return t[i].From }, func(i int) civil.Date { return t[i].To }, d)
	if fit == fitNone {
		return LegalInterestRate{}, fit
	}
	return t[i], fit
}

func (p Parameters) ecbRateOn(d civil.Date) (DatedRate, paramFit) {
	t := p.ECBRate
	i, fit := pickSpan(len(t), func(i int) civil.Date { return t[i].From }, func(i int) civil.Date { return t[i].To }, d)
	if fit == fitNone {
		return DatedRate{}, fit
	}
	return t[i], fit
}

func amountOn(t []DatedAmount, d civil.Date) (DatedAmount, paramFit) {
	i, fit := pickSpan(len(t), func(i int) civil.Date { return t[i].From }, func(i int) civil.Date { return t[i].To }, d)
	if fit == fitNone {
		return DatedAmount{}, fit
	}
	return t[i], fit
}

// scaleFor returns the seizure scale of a calendar year (R3252-2 is revised
// each year by decree).
func (p Parameters) scaleFor(year int) (SeizureScale, paramFit) {
	t := p.SeizureScales
	if len(t) == 0 {
		return SeizureScale{}, fitNone
	}
	for i := len(t) - 1; i >= 0; i-- {
		switch {
		case t[i].Year == year:
			return t[i], fitExact
		case t[i].Year < year:
			return t[i], fitLatest
		}
	}
	return t[0], fitFirst
}
