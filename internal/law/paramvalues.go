package law

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/money"
)

// The parameter tables are administrable: each dated value is a ParamValue,
// stored and added one at a time (the referential keeps them in the
// database), and AssembleParameters turns the values back into the tables
// the engine reads. seed/parameters.json is only the first batch of values.

// Names of the dated parameter tables.
const (
	TableLegalInterestRate  = "legal_interest_rate"
	TableECBRate            = "ecb_main_refinancing_rate"
	TableSeizureScale       = "seizure_scale"
	TableRSA                = "rsa_single_person"
	TableFixedIndemnity     = "fixed_indemnity"
	TableSmallClaimsCeiling = "small_claims_ceiling"
)

// Period says how the values of a table are dated.
type Period string

const (
	// ByHalfYear: from 1 January to 30 June, or from 1 July to 31 December
	// (the legal interest rate is fixed by half-year, CMF L313-2; the ECB
	// rate counts as in force on 1 January and 1 July, C. com. L441-10).
	ByHalfYear Period = "half_year"
	// ByYear: one calendar year (the seizure scale, C. trav. R3252-2).
	ByYear Period = "year"
	// FromDate: from any day until the next value, or until an explicit
	// last day.
	FromDate Period = "from_date"
)

// ParamTable describes one table for those who list and change it.
type ParamTable struct {
	Name   string   `json:"table"`
	Period Period   `json:"period"`
	FR     string   `json:"title"`
	EN     string   `json:"title_en"`
	Fields []string `json:"fields"` // the keys of a value's "values"
	Rule   string   `json:"rule"`
}

// ParamTables lists the tables in the order they are shown.
var ParamTables = []ParamTable{
	{TableLegalInterestRate, ByHalfYear, "Taux de l'intérêt légal", "Legal interest rate",
		[]string{"consumer_creditor", "other"}, "CMF L313-2"},
	{TableECBRate, ByHalfYear, "Taux de refinancement de la BCE", "ECB main refinancing rate",
		[]string{"rate"}, "C. com. L441-10 II"},
	{TableSeizureScale, ByYear, "Barème de saisie des rémunérations", "Wage seizure scale",
		[]string{"per_dependant", "bands"}, "C. trav. R3252-2"},
	{TableRSA, FromDate, "RSA pour une personne seule", "RSA for one person",
		[]string{"amount"}, "CASF L262-2"},
	{TableFixedIndemnity, FromDate, "Indemnité forfaitaire pour frais de recouvrement", "Fixed recovery indemnity",
		[]string{"amount"}, "C. com. D441-5"},
	{TableSmallClaimsCeiling, FromDate, "Plafond de la procédure des petites créances", "Small claims ceiling",
		[]string{"amount"}, "CPCE R125-1"},
}

// ParamTableNamed returns a table's description.
func ParamTableNamed(name string) (ParamTable, bool) {
	for _, t := range ParamTables {
		if t.Name == name {
			return t, true
		}
	}
	return ParamTable{}, false
}

// ParamValue is one dated value of a table: the unit of storage and change.
type ParamValue struct {
	Table  string
	From   civil.Date
	To     civil.Date      // last day; zero: until the next value
	Values json.RawMessage // the table's fields, as canonical JSON
	Source string
}

// Covers tells whether the value is in force on d by its own dates.
func (v ParamValue) Covers(d civil.Date) bool {
	return !d.Before(v.From) && (v.To.IsZero() || !d.After(v.To))
}

// overlaps tells whether two values share a day, an open end running on
// for ever.
func (v ParamValue) overlaps(o ParamValue) bool {
	endsBefore := func(a, b ParamValue) bool { return !a.To.IsZero() && a.To.Before(b.From) }
	return !endsBefore(v, o) && !endsBefore(o, v)
}

// The "values" of each table.
type legalRateValues struct {
	ConsumerCreditor Rate `json:"consumer_creditor"`
	Other            Rate `json:"other"`
}

type rateValues struct {
	Rate Rate `json:"rate"`
}

type amountValues struct {
	Amount money.Cents `json:"amount"`
}

type scaleValues struct {
	PerDependant money.Cents   `json:"per_dependant"`
	Bands        []seizureBand `json:"bands"`
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Errorf("law: marshal %T: %w", v, err)) // plain structs of numbers and strings
	}
	return b
}

// SplitParameters reads a parameter file (see ParseParameters, which checks
// it first) into its dated values, table by table in file order.
func SplitParameters(data []byte) ([]ParamValue, error) {
	if _, err := ParseParameters(data); err != nil {
		return nil, err
	}
	var f paramsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parameters: %w", err)
	}
	var out []ParamValue
	for _, e := range f.LegalInterestRate {
		out = append(out, ParamValue{TableLegalInterestRate, e.From, e.To,
			mustJSON(legalRateValues{*e.ConsumerCreditor, *e.Other}), e.Source})
	}
	for _, e := range f.ECBRate {
		out = append(out, ParamValue{TableECBRate, e.From, e.To, mustJSON(rateValues{*e.Rate}), e.Source})
	}
	for _, e := range f.SeizureScale {
		out = append(out, ParamValue{TableSeizureScale, civil.New(e.Year, time.January, 1), civil.New(e.Year, time.December, 31),
			mustJSON(scaleValues{*e.PerDependant, e.Bands}), e.Source})
	}
	for _, t := range []struct {
		name string
		in   []datedAmountJSON
	}{{TableRSA, f.RSA}, {TableFixedIndemnity, f.FixedIndemnity}, {TableSmallClaimsCeiling, f.SmallClaimsCeiling}} {
		for _, e := range t.in {
			out = append(out, ParamValue{t.name, e.From, e.To, mustJSON(amountValues{*e.Amount}), e.Source})
		}
	}
	return out, nil
}

// AssembleParameters builds the engine's tables from dated values in any
// order, with the checks of ParseParameters. A table with no value stays
// empty: the computations that need it report PARAMETER_MISSING.
func AssembleParameters(vals []ParamValue) (Parameters, error) {
	vals = slices.Clone(vals)
	slices.SortStableFunc(vals, func(a, b ParamValue) int { return a.From.Compare(b.From) })
	var f paramsFile
	for _, v := range vals {
		dec := json.NewDecoder(bytes.NewReader(v.Values))
		dec.DisallowUnknownFields()
		var err error
		switch v.Table {
		case TableLegalInterestRate:
			var x legalRateValues
			if err = dec.Decode(&x); err == nil {
				f.LegalInterestRate = append(f.LegalInterestRate, legalRateJSON{v.From, v.To, &x.ConsumerCreditor, &x.Other, v.Source})
			}
		case TableECBRate:
			var x rateValues
			if err = dec.Decode(&x); err == nil {
				f.ECBRate = append(f.ECBRate, datedRateJSON{v.From, v.To, &x.Rate, v.Source})
			}
		case TableSeizureScale:
			var x scaleValues
			if err = dec.Decode(&x); err == nil {
				f.SeizureScale = append(f.SeizureScale, seizureJSON{v.From.Year, &x.PerDependant, x.Bands, v.Source})
			}
		case TableRSA, TableFixedIndemnity, TableSmallClaimsCeiling:
			var x amountValues
			if err = dec.Decode(&x); err == nil {
				e := datedAmountJSON{v.From, v.To, &x.Amount, v.Source}
				switch v.Table {
				case TableRSA:
					f.RSA = append(f.RSA, e)
				case TableFixedIndemnity:
					f.FixedIndemnity = append(f.FixedIndemnity, e)
				default:
					f.SmallClaimsCeiling = append(f.SmallClaimsCeiling, e)
				}
			}
		default:
			err = fmt.Errorf("unknown table")
		}
		if err != nil {
			return Parameters{}, fmt.Errorf("parameters: %s from %s: %w", v.Table, v.From, err)
		}
	}
	var p Parameters
	var err error
	if len(f.LegalInterestRate) > 0 {
		if p.LegalInterest, err = parseLegalRates(f.LegalInterestRate); err != nil {
			return Parameters{}, err
		}
	}
	if len(f.ECBRate) > 0 {
		if p.ECBRate, err = parseDatedRates(TableECBRate, f.ECBRate); err != nil {
			return Parameters{}, err
		}
	}
	if len(f.SeizureScale) > 0 {
		if p.SeizureScales, err = parseScales(f.SeizureScale); err != nil {
			return Parameters{}, err
		}
	}
	for _, t := range []struct {
		name string
		in   []datedAmountJSON
		out  *[]DatedAmount
	}{{TableRSA, f.RSA, &p.RSA}, {TableFixedIndemnity, f.FixedIndemnity, &p.FixedIndemnity},
		{TableSmallClaimsCeiling, f.SmallClaimsCeiling, &p.SmallClaimsCeiling}} {
		if len(t.in) > 0 {
			if *t.out, err = parseDatedAmounts(t.name, t.in); err != nil {
				return Parameters{}, err
			}
		}
	}
	return p, nil
}

// ParamInput is a new value as an administrator types it: dates as text,
// so that a date that cannot be read is one field error among the others.
type ParamInput struct {
	From   string          `json:"from"`
	To     string          `json:"to"`
	Values json.RawMessage `json:"values"`
	Source string          `json:"source"`
}

// Bounds past which a value is a typing error rather than the law.
const (
	maxParamRate        = 100 * rateScale // 100 %
	maxMonthlyAmount    = money.Cents(10_000_00)
	maxCeiling          = money.Cents(1_000_000_00)
	maxScaleAmount      = money.Cents(10_000_000_00)
	maxBands            = 20
	maxSourceRunes      = 300
	earliestParamYear   = 1990
	latestParamYear     = 2200
	problemNotANumberFR = "doit être un nombre"
)

// CheckParamValue checks a value added to table and returns it normalised,
// with its period completed (a half-year or a year ends on its last day), or
// every problem found, each naming its field (from, to, values.other,
// values.bands[2].fraction…). It does not look at the other values: where
// the new one goes is PlaceParamValue's question.
func CheckParamValue(table ParamTable, in ParamInput) (ParamValue, []Problem) {
	var ps []Problem
	add := func(field, fr, en string) { ps = append(ps, Problem{Field: field, FR: fr, EN: en}) }
	v := ParamValue{Table: table.Name, Source: strings.TrimSpace(in.Source)}

	from, fromOK := parseParamDate(in.From, "from", true, add)
	to, toOK := parseParamDate(in.To, "to", false, add)
	if fromOK {
		v.From = from
		switch table.Period {
		case ByHalfYear:
			if from.Day != 1 || (from.Month != time.January && from.Month != time.July) {
				add("from", "Un taux semestriel commence le 1er janvier ou le 1er juillet.",
					"A half-yearly rate starts on 1 January or 1 July.")
			} else {
				v.To = from.AddMonths(6).AddDays(-1)
			}
		case ByYear:
			if from.Day != 1 || from.Month != time.January {
				add("from", "Un barème annuel commence le 1er janvier.", "A yearly scale starts on 1 January.")
			} else {
				v.To = civil.New(from.Year, time.December, 31)
			}
		}
	}
	if toOK && !to.IsZero() {
		switch {
		case table.Period != FromDate:
			if fromOK && !v.To.IsZero() && to != v.To {
				add("to", "La fin de la période est le "+frDate(v.To)+" : laissez ce champ vide.",
					"The period ends on "+v.To.String()+": leave this field empty.")
			}
		case fromOK && to.Before(from):
			add("to", "La date de fin précède la date de début.", "to is before from.")
		default:
			v.To = to
		}
	}
	if n := len([]rune(v.Source)); n > maxSourceRunes {
		add("source", "La source dépasse "+strconv.Itoa(maxSourceRunes)+" caractères.",
			"source is longer than "+strconv.Itoa(maxSourceRunes)+" characters.")
	}

	fields, ok := valueObject(in.Values, add)
	if !ok {
		return ParamValue{}, ps
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(table.Fields, k) {
			add("values."+k, "Champ inconnu pour cette table.", "Unknown field for this table.")
		}
	}
	switch table.Name {
	case TableLegalInterestRate:
		var x legalRateValues
		x.ConsumerCreditor = checkRate(fields, "consumer_creditor", add)
		x.Other = checkRate(fields, "other", add)
		v.Values = mustJSON(x)
	case TableECBRate:
		v.Values = mustJSON(rateValues{checkRate(fields, "rate", add)})
	case TableSeizureScale:
		v.Values = mustJSON(checkScale(fields, add))
	default:
		limit := maxMonthlyAmount
		if table.Name == TableSmallClaimsCeiling {
			limit = maxCeiling
		}
		v.Values = mustJSON(amountValues{checkAmount(fields, "amount", "values.amount", true, limit, add)})
	}
	if len(ps) > 0 {
		return ParamValue{}, ps
	}
	return v, nil
}

func parseParamDate(s, field string, required bool, add func(field, fr, en string)) (civil.Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			add(field, "La date est obligatoire.", field+" is required.")
			return civil.Date{}, false
		}
		return civil.Date{}, true
	}
	d, err := civil.Parse(s)
	if err != nil {
		add(field, "Date invalide : attendu AAAA-MM-JJ.", "Invalid date: expected YYYY-MM-DD.")
		return civil.Date{}, false
	}
	if d.Year < earliestParamYear || d.Year > latestParamYear {
		add(field, "Date hors des bornes ("+strconv.Itoa(earliestParamYear)+"–"+strconv.Itoa(latestParamYear)+").",
			"Date out of range ("+strconv.Itoa(earliestParamYear)+"–"+strconv.Itoa(latestParamYear)+").")
		return civil.Date{}, false
	}
	return d, true
}

func valueObject(raw json.RawMessage, add func(field, fr, en string)) (map[string]json.RawMessage, bool) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		add("values", "Les valeurs sont obligatoires.", "values is required.")
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		add("values", "Les valeurs doivent être un objet JSON.", "values must be a JSON object.")
		return nil, false
	}
	return m, true
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(bytes.TrimSpace(raw)) != "null" && string(bytes.TrimSpace(raw)) != `""`
}

func checkRate(fields map[string]json.RawMessage, key string, add func(field, fr, en string)) Rate {
	field := "values." + key
	raw, ok := fields[key]
	if !ok || !present(raw) {
		add(field, "Le taux est obligatoire.", key+" is required.")
		return 0
	}
	var r Rate
	if err := json.Unmarshal(raw, &r); err != nil {
		add(field, "Le taux "+problemNotANumberFR+" (en pourcentage : 6.67 pour 6,67 %).",
			"The rate must be a number (a percentage: 6.67 for 6.67 %).")
		return 0
	}
	switch {
	case r < 0:
		add(field, "Un taux ne peut pas être négatif.", "A rate cannot be negative.")
	case r > maxParamRate:
		add(field, "Taux invraisemblable : au-delà de 100 %.", "Implausible rate: above 100 %.")
	}
	return r
}

func checkAmount(fields map[string]json.RawMessage, key, field string, positive bool, limit money.Cents, add func(field, fr, en string)) money.Cents {
	raw, ok := fields[key]
	if !ok || !present(raw) {
		add(field, "Le montant est obligatoire.", key+" is required.")
		return 0
	}
	return checkCents(raw, field, positive, limit, add)
}

func checkCents(raw json.RawMessage, field string, positive bool, limit money.Cents, add func(field, fr, en string)) money.Cents {
	var c money.Cents
	if err := json.Unmarshal(raw, &c); err != nil {
		add(field, "Le montant "+problemNotANumberFR+" (en euros : 646.52).", "The amount must be a number of euros (646.52).")
		return 0
	}
	switch {
	case c < 0 || (positive && c == 0):
		add(field, "Le montant doit être positif.", "The amount must be positive.")
	case c > limit:
		add(field, "Montant invraisemblable : au-delà de "+frMoney(limit)+".", "Implausible amount: above "+limit.String()+" €.")
	}
	return c
}

func checkScale(fields map[string]json.RawMessage, add func(field, fr, en string)) scaleValues {
	var s scaleValues
	s.PerDependant = checkAmount(fields, "per_dependant", "values.per_dependant", false, maxMonthlyAmount, add)
	raw, ok := fields["bands"]
	if !ok || !present(raw) {
		add("values.bands", "Les tranches sont obligatoires.", "bands is required.")
		return s
	}
	var bands []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &bands); err != nil {
		add("values.bands", "Les tranches doivent être une liste d'objets {up_to, fraction}.", "bands must be a list of {up_to, fraction} objects.")
		return s
	}
	if len(bands) < 2 || len(bands) > maxBands {
		add("values.bands", "Il faut de 2 à "+strconv.Itoa(maxBands)+" tranches, la dernière sans plafond.",
			"From 2 to "+strconv.Itoa(maxBands)+" bands are needed, the last one without up_to.")
		return s
	}
	var prev money.Cents
	for j, b := range bands {
		at := "values.bands[" + strconv.Itoa(j) + "]"
		last := j == len(bands)-1
		for _, k := range slices.Sorted(maps.Keys(b)) {
			if k != "up_to" && k != "fraction" {
				add(at+"."+k, "Champ inconnu dans une tranche.", "Unknown field in a band.")
			}
		}
		band := seizureBand{}
		switch up, has := b["up_to"]; {
		case last && has && present(up):
			add(at+".up_to", "La dernière tranche n'a pas de plafond.", "The top band has no up_to.")
		case !last && (!has || !present(up)):
			add(at+".up_to", "Le plafond de la tranche est obligatoire.", "up_to is required.")
		case !last:
			c := checkCents(up, at+".up_to", true, maxScaleAmount, add)
			if c > 0 && c <= prev {
				add(at+".up_to", "Les plafonds doivent croître d'une tranche à la suivante.", "up_to must increase from one band to the next.")
			}
			if c > prev {
				prev = c
			}
			band.UpTo = &c
		}
		var frac string
		if fr, has := b["fraction"]; !has || json.Unmarshal(fr, &frac) != nil || strings.TrimSpace(frac) == "" {
			add(at+".fraction", "La fraction est obligatoire, sous la forme n/d (1/20).", "fraction is required, as n/d (1/20).")
		} else if n, _, err := parseFraction(frac); err != nil || n == 0 {
			add(at+".fraction", "Fraction invalide : n/d attendu, strictement positive et au plus 1 (1/20, 2/3, 1/1).",
				"Invalid fraction: expected n/d, above 0 and at most 1 (1/20, 2/3, 1/1).")
		}
		band.Fraction = strings.TrimSpace(frac)
		s.Bands = append(s.Bands, band)
	}
	return s
}

// Placement is where a new value goes among a table's values.
type Placement struct {
	// Conflict is the index of a value sharing a day with the new one: the
	// new value is refused (-1: none).
	Conflict int
	// Closes is the index of the open-ended value in force before the new
	// one, whose last day becomes the eve of the new value's first (-1: none).
	Closes int
}

// PlaceParamValue applies the rule of dated values: a new value may not
// share a day with another, except that the open-ended value starting
// before it is closed on the eve of its first day. A new open-ended value
// may only come after every other.
func PlaceParamValue(existing []ParamValue, nv ParamValue) Placement {
	pl := Placement{Conflict: -1, Closes: -1}
	for i, e := range existing {
		if e.Table != nv.Table {
			continue
		}
		if e.To.IsZero() && e.From.Before(nv.From) {
			if pl.Closes < 0 || existing[pl.Closes].From.Before(e.From) {
				pl.Closes = i
			}
		}
	}
	for i, e := range existing {
		if e.Table != nv.Table {
			continue
		}
		if i == pl.Closes {
			e.To = nv.From.AddDays(-1)
		}
		if e.overlaps(nv) {
			pl.Conflict = i
			return pl
		}
	}
	return pl
}
