package webui

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/money"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/referential"
	"github.com/labstack/echo/v4"
)

// "Paramètres du droit": the administrator reads the dated tables of the
// law, adds the value published for the next period (the service checks it
// as the API does: same rules, same messages), records a registration
// period of a certification, and tries the engine on dates of their choice
// to see which values it takes.

func (ui *UI) parameterRoutes(admin *echo.Group) {
	admin.GET("/parameters", ui.parametersPage)
	admin.POST("/parameters/registrations", ui.registrationAdd)
	admin.POST("/parameters/:table", ui.parameterAdd)
}

// paramRow is one value as the page shows it.
type paramRow struct {
	From, To string // formatted; To "" when open-ended
	Values   []string
	Source   string
	ByAdmin  bool
}

type paramTableView struct {
	Name, Title, Rule, Period string
	Rows                      []paramRow
}

type registrationRow struct {
	Registry, Number, From, To, Act string
	InForce                         bool
}

type certRegistrations struct {
	Code, Title string
	Rows        []registrationRow
}

// preview is a trial computation: legal interest on a principal from a
// formal notice to a day, as the engine computes it.
type preview struct {
	Asked    bool
	Interest string   // the amount, formatted
	Detail   []string // the engine's explanation of the computation
	Missing  []string // PARAMETER_MISSING messages
	Problems []string // why the file could not be evaluated
}

type parametersData struct {
	Tables   []paramTableView
	Form     law.ParamTable // the table the add form is for
	Forms    []option       // the tables one may add to
	Regs     []certRegistrations
	CertOpts []option
	Missing  referential.MissingParameters
	Preview  preview
	ErrFor   string // "param" or "reg": the form whose refusal is shown
}

func (ui *UI) parametersPage(c echo.Context) error {
	p := ui.newPage(c, "Paramètres du droit", "Law parameters")
	return ui.showParameters(c, p, c.QueryParam("table"), "", http.StatusOK)
}

func (ui *UI) showParameters(c echo.Context, p *page, table, errFor string, status int) error {
	ts, err := ui.Referential.ParameterTables(c.Request().Context())
	if err != nil {
		return err
	}
	d := parametersData{Missing: ui.Referential.Missing(p.Today), ErrFor: errFor}
	form, ok := law.ParamTableNamed(table)
	if !ok {
		form = law.ParamTables[0]
	}
	d.Form = form
	for _, t := range ts {
		v := paramTableView{Name: t.Name, Title: p.L(t.FR, t.EN), Rule: t.Rule, Period: periodLabel(p, t.Period)}
		for _, x := range t.Values {
			r := paramRow{From: p.Date(x.From), Source: x.Source, ByAdmin: x.CreatedBy != referential.SeedActor,
				Values: valueLines(p, t.Name, x.Values)}
			if x.To != nil {
				r.To = p.Date(*x.To)
			}
			v.Rows = append(v.Rows, r)
		}
		d.Tables = append(d.Tables, v)
		d.Forms = append(d.Forms, option{t.Name, p.L(t.FR, t.EN)})
	}
	for _, cert := range ui.Referential.Certifications() {
		cr := certRegistrations{Code: cert.Code, Title: cert.Title}
		for _, r := range cert.Registrations {
			row := registrationRow{Registry: r.Registry, Number: r.Number, Act: r.Act, InForce: r.Covers(p.Today)}
			if !r.From.IsZero() {
				row.From = p.Date(r.From)
			}
			if !r.To.IsZero() {
				row.To = p.Date(r.To)
			}
			cr.Rows = append(cr.Rows, row)
		}
		d.Regs = append(d.Regs, cr)
		d.CertOpts = append(d.CertOpts, option{cert.Code, cert.Title})
	}
	d.Preview = ui.trialComputation(c, p)
	p.Data = d
	return ui.render(c, status, "admin/parameters", p)
}

func periodLabel(p *page, per law.Period) string {
	switch per {
	case law.ByHalfYear:
		return p.L("par semestre (1er janvier, 1er juillet)", "by half-year (1 January, 1 July)")
	case law.ByYear:
		return p.L("par année civile", "by calendar year")
	}
	return p.L("à partir d'une date, jusqu'à la valeur suivante", "from a date until the next value")
}

// valueLines renders a stored value for reading.
func valueLines(p *page, table string, raw json.RawMessage) []string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return []string{string(raw)}
	}
	rate := func(k string) string {
		var r law.Rate
		_ = json.Unmarshal(m[k], &r)
		if p.Lang == "en" {
			return r.String() + " %"
		}
		return r.French()
	}
	amount := func(k string) string {
		var c money.Cents
		_ = json.Unmarshal(m[k], &c)
		return p.Money(c)
	}
	switch table {
	case law.TableLegalInterestRate:
		return []string{p.L("créancier particulier : ", "consumer creditor: ") + rate("consumer_creditor"),
			p.L("autres cas : ", "other cases: ") + rate("other")}
	case law.TableECBRate:
		return []string{rate("rate")}
	case law.TableSeizureScale:
		out := []string{p.L("par personne à charge : +", "per dependant: +") + amount("per_dependant")}
		var bands []struct {
			UpTo     *money.Cents `json:"up_to"`
			Fraction string       `json:"fraction"`
		}
		_ = json.Unmarshal(m["bands"], &bands)
		for _, b := range bands {
			if b.UpTo != nil {
				out = append(out, p.L("jusqu'à ", "up to ")+p.Money(*b.UpTo)+" : "+b.Fraction)
			} else {
				out = append(out, p.L("au-delà : ", "above: ")+b.Fraction)
			}
		}
		return out
	}
	return []string{amount("amount")}
}

// formNumber turns what was typed ("6,67", "4 480") into a JSON number, or
// a JSON string the service refuses with its own message.
func formNumber(s string) (json.RawMessage, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	n := strings.NewReplacer(",", ".", " ", "", "\u00a0", "", "\u202f", "", "€", "", "%", "").Replace(s)
	if _, err := strconv.ParseFloat(n, 64); err == nil {
		return json.RawMessage(n), true
	}
	b, _ := json.Marshal(s)
	return b, true
}

// formDate accepts the date input's YYYY-MM-DD and a typed DD/MM/YYYY; what
// it cannot read goes on as typed, for the service to refuse.
func formDate(s string) string {
	if d, err := parseFormDate(s); err == nil {
		return d.String()
	}
	return strings.TrimSpace(s)
}

var bandLine = regexp.MustCompile(`^(.*?)[\s;:]*(\d+\s*/\s*\d+)\s*$`)

// formBands reads the bands typed one per line: "4 480 1/20", the last one
// "1/1" alone.
func formBands(text string) []map[string]json.RawMessage {
	var out []map[string]json.RawMessage
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		b := map[string]json.RawMessage{}
		frac := line
		if m := bandLine.FindStringSubmatch(line); m != nil {
			frac = strings.ReplaceAll(m[2], " ", "")
			if up, ok := formNumber(m[1]); ok {
				b["up_to"] = up
			}
		}
		fb, _ := json.Marshal(frac)
		b["fraction"] = fb
		out = append(out, b)
	}
	return out
}

var bandField = regexp.MustCompile(`^values\.bands\[(\d+)\]\.`)

func (ui *UI) parameterAdd(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Paramètres du droit", "Law parameters")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	table, ok := law.ParamTableNamed(c.Param("table"))
	if !ok {
		return httpx.NotFound("Table de paramètres inconnue.", "Unknown parameter table.")
	}
	values := map[string]any{}
	for _, f := range table.Fields {
		if f == "bands" {
			if bs := formBands(form.Get("bands")); len(bs) > 0 {
				values["bands"] = bs
			}
			continue
		}
		if n, ok := formNumber(form.Get(f)); ok {
			values[f] = n
		}
	}
	raw, _ := json.Marshal(values)
	in := law.ParamInput{From: formDate(form.Get("from")), Values: raw, Source: form.Get("source")}
	if table.Period == law.FromDate {
		in.To = formDate(form.Get("to"))
	}
	added, err := ui.Referential.AddParameter(c.Request().Context(), actor, table.Name, in)
	if err == nil {
		msg := p.L("Valeur ajoutée : en vigueur à partir du ", "Value added: in force from ") + p.Date(added.From) + "."
		if added.Closed != nil {
			msg += p.L(" La valeur précédente prend fin le ", " The previous value ends on ") + p.Date(*added.Closed.To) + "."
		}
		return ui.redirect(c, "/admin/parameters?table="+table.Name, msg)
	}
	// Band problems go next to the bands, with their line.
	if pr, ok := httpx.AsProblem(err); ok {
		for i, f := range pr.Fields {
			if m := bandField.FindStringSubmatch(f.Field); m != nil {
				n, _ := strconv.Atoi(m[1])
				pr.Fields[i] = httpx.Field("bands", "Ligne "+strconv.Itoa(n+1)+" : "+f.FR, "Line "+strconv.Itoa(n+1)+": "+f.EN)
			}
		}
	}
	fm := map[string]field{"from": {"from", ""}, "to": {"to", ""}, "source": {"source", ""}}
	for _, f := range table.Fields {
		fm["values."+f] = field{f, ""}
	}
	if !p.formProblem(err, fm) {
		return err
	}
	return ui.showParameters(c, p, table.Name, "param", formStatus(err))
}

func (ui *UI) registrationAdd(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	p := ui.newPage(c, "Paramètres du droit", "Law parameters")
	form, err := formInto(c, p)
	if err != nil {
		return err
	}
	code := form.Get("certification")
	in := referential.RegistrationInput{Registry: form.Get("reg_registry"), Number: form.Get("reg_number"),
		From: formDate(form.Get("reg_from")), To: formDate(form.Get("reg_to")), Act: form.Get("reg_act")}
	if _, ok := ui.Referential.Certification(code); !ok {
		err = httpx.Invalid(httpx.Field("certification", "Choisissez une certification.", "Choose a certification."))
	} else if _, err = ui.Referential.AddRegistration(c.Request().Context(), actor, code, in); err == nil {
		return ui.redirect(c, "/admin/parameters#registrations",
			p.L("Période d'enregistrement ajoutée.", "Registration period added."))
	}
	fm := map[string]field{"certification": {"certification", ""}}
	for _, f := range []string{"registry", "number", "from", "to", "act"} {
		fm[f] = field{"reg_" + f, ""}
	}
	if !p.formProblem(err, fm) {
		return err
	}
	return ui.showParameters(c, p, c.QueryParam("table"), "reg", formStatus(err))
}

// trialComputation runs the engine on the preview form's dates: legal
// interest on a principal from a formal notice to a day, so that an
// administrator sees which rate the engine takes, and whether it reports a
// missing value.
func (ui *UI) trialComputation(c echo.Context, p *page) preview {
	q := c.QueryParams()
	if q.Get("t_notice") == "" && q.Get("t_as_of") == "" {
		return preview{}
	}
	pv := preview{Asked: true}
	notice, err1 := parseFormDate(q.Get("t_notice"))
	asOf, err2 := parseFormDate(q.Get("t_as_of"))
	principal, err3 := money.Parse(strings.NewReplacer(",", ".", " ", "", "\u00a0", "").Replace(q.Get("t_principal")))
	if err1 != nil || err2 != nil || err3 != nil {
		pv.Problems = append(pv.Problems, p.L("Indiquez deux dates (AAAA-MM-JJ) et un montant.", "Give two dates (YYYY-MM-DD) and an amount."))
		return pv
	}
	creditor := "professional"
	if q.Get("t_creditor") == "consumer" {
		creditor = "consumer"
	}
	in := law.Input{AsOf: asOf, Creditor: &law.Creditor{Kind: creditor},
		Claim: &law.Claim{Kind: "civil", Principal: principal, StartsOn: notice,
			Events: []law.Event{{Kind: "formal_notice", On: notice}}, LatePenalty: &law.LatePenalty{}}}
	if ps := law.Check(in); len(ps) > 0 {
		for _, x := range ps {
			pv.Problems = append(pv.Problems, p.L(x.FR, x.EN))
		}
		return pv
	}
	out := law.Evaluate(in, ui.Referential.LawParameters())
	pv.Interest = p.Money(0)
	if out.Claimable != nil {
		for _, it := range out.Claimable.Allowed {
			if it.Kind == "interest" {
				pv.Interest = p.Money(it.Amount)
			}
		}
	}
	for _, f := range out.Findings {
		switch f.Code {
		case law.CodeParameterMissing:
			pv.Missing = append(pv.Missing, f.Message)
		case law.CodePenaltyComputed, law.CodeInterestNeedsNotice:
			pv.Detail = append(pv.Detail, f.Message)
		}
	}
	return pv
}
