package referential

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"gorm.io/gorm"
)

// The law's dated parameters live in the database, one row per value, so
// that an administrator adds the next half-year's legal rate without a
// release. seed/parameters.json provides the first values; Load adds those
// missing, under the same rule as an administrator's addition.

// ParameterValue is one dated value of a parameter table.
type ParameterValue struct {
	ID        int64      `gorm:"primaryKey"`
	Table     string     `gorm:"column:param_table;size:60;not null;uniqueIndex:idx_parameter_value"`
	From      civil.Date `gorm:"column:valid_from;not null;uniqueIndex:idx_parameter_value"`
	To        civil.Date `gorm:"column:valid_to"`
	Values    string     `gorm:"column:param_values;type:text;not null"`
	Source    string     `gorm:"size:300"`
	CreatedBy string     `gorm:"size:64;not null"` // a user id, or "seed"
	CreatedAt time.Time  `gorm:"not null"`
}

// TableName fixes the table whatever GORM's naming.
func (ParameterValue) TableName() string { return "parameter_values" }

// SeedActor is the author of the values read from seed/parameters.json.
const SeedActor = "seed"

func (v ParameterValue) law() law.ParamValue {
	return law.ParamValue{Table: v.Table, From: v.From, To: v.To, Values: json.RawMessage(v.Values), Source: v.Source}
}

// ParameterValueView is a value as the API shows it.
type ParameterValueView struct {
	ID        int64           `json:"id"`
	Table     string          `json:"table"`
	From      civil.Date      `json:"from"`
	To        *civil.Date     `json:"to"` // null: until the next value
	Values    json.RawMessage `json:"values"`
	Source    string          `json:"source"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

func (v ParameterValue) View() ParameterValueView {
	out := ParameterValueView{ID: v.ID, Table: v.Table, From: v.From, Values: json.RawMessage(v.Values),
		Source: v.Source, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt}
	if !v.To.IsZero() {
		to := v.To
		out.To = &to
	}
	return out
}

// ParameterTable is one table with its values, oldest first.
type ParameterTable struct {
	law.ParamTable
	Values []ParameterValueView `json:"values"`
}

// ParameterTables lists every table with its values, read from the
// database (not the memory copy: the administrator sees what is stored).
func (s *Service) ParameterTables(ctx context.Context) ([]ParameterTable, error) {
	var rows []ParameterValue
	if err := s.db.WithContext(ctx).Order("param_table, valid_from").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list parameters: %w", err)
	}
	out := make([]ParameterTable, 0, len(law.ParamTables))
	for _, t := range law.ParamTables {
		pt := ParameterTable{ParamTable: t, Values: []ParameterValueView{}}
		for _, r := range rows {
			if r.Table == t.Name {
				pt.Values = append(pt.Values, r.View())
			}
		}
		out = append(out, pt)
	}
	return out, nil
}

// AddedParameter is the answer to an addition: the new value, and the
// open-ended value it closed, if any.
type AddedParameter struct {
	ParameterValueView
	Closed *ParameterValueView `json:"closed,omitempty"`
}

// errUnknownTable is answered for a table name outside law.ParamTables.
func errUnknownTable() error {
	return httpx.NotFound("Table de paramètres inconnue.", "Unknown parameter table.")
}

// AddParameter adds a value to a table from a date: checked field by field
// (422 listing every problem), refused when it shares a day with another
// value (409 parameter_overlap), closing the open-ended value before it,
// audited, and visible to every replica at their next request — all in one
// transaction.
func (s *Service) AddParameter(ctx context.Context, actor auth.User, table string, in law.ParamInput) (AddedParameter, error) {
	t, ok := law.ParamTableNamed(table)
	if !ok {
		return AddedParameter{}, errUnknownTable()
	}
	nv, problems := law.CheckParamValue(t, in)
	if len(problems) > 0 {
		return AddedParameter{}, invalid(problems)
	}
	var out AddedParameter
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		row, closed, err := s.addValue(tx, actor.ID, nv)
		if err != nil {
			return err
		}
		after := map[string]any{"value": row.View()}
		out = AddedParameter{ParameterValueView: row.View()}
		if closed != nil {
			cv := closed.View()
			out.Closed, after["closed"] = &cv, cv
		}
		if err := audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "parameter.add",
			Entity: "parameter_value", EntityID: fmt.Sprint(row.ID), After: after}); err != nil {
			return err
		}
		return bumpVersion(tx, s.now())
	})
	if err != nil {
		return AddedParameter{}, err
	}
	s.syncAfterWrite(ctx)
	return out, nil
}

// paramLockKey serialises additions on PostgreSQL, so that two
// administrators adding overlapping values cannot both pass the check.
const paramLockKey = 7_426_331_020

// addValue places nv among the stored values of its table and writes it
// (and the closed predecessor). A conflict is a 409 parameter_overlap.
func (s *Service) addValue(tx *gorm.DB, actorID string, nv law.ParamValue) (ParameterValue, *ParameterValue, error) {
	if err := database.Lock(tx, paramLockKey); err != nil {
		return ParameterValue{}, nil, err
	}
	var rows []ParameterValue
	if err := tx.Where("param_table = ?", nv.Table).Order("valid_from").Find(&rows).Error; err != nil {
		return ParameterValue{}, nil, fmt.Errorf("read %s: %w", nv.Table, err)
	}
	vals := make([]law.ParamValue, len(rows))
	for i, r := range rows {
		vals[i] = r.law()
	}
	pl := law.PlaceParamValue(vals, nv)
	if pl.Conflict >= 0 {
		c := rows[pl.Conflict]
		period := "du " + c.From.String()
		if !c.To.IsZero() {
			period += " au " + c.To.String()
		} else {
			period += ", sans date de fin"
		}
		return ParameterValue{}, nil, httpx.Conflict("parameter_overlap",
			"Une valeur de cette table est déjà en vigueur sur cette période ("+period+").",
			"A value of this table already holds over this period (from "+c.From.String()+").")
	}
	// The table as it would be must still assemble: the copy every replica
	// rebuilds from these rows can then never fail to load.
	after := append(slices.Clone(vals), nv)
	if pl.Closes >= 0 {
		after[pl.Closes].To = nv.From.AddDays(-1)
	}
	if _, err := law.AssembleParameters(after); err != nil {
		return ParameterValue{}, nil, httpx.Conflict("parameter_overlap",
			"Cette valeur ne s'insère pas dans la table : "+err.Error()+".",
			"This value does not fit in the table: "+err.Error()+".")
	}
	var closed *ParameterValue
	if pl.Closes >= 0 {
		c := rows[pl.Closes]
		c.To = nv.From.AddDays(-1)
		if err := tx.Model(&ParameterValue{}).Where("id = ?", c.ID).Update("valid_to", c.To).Error; err != nil {
			return ParameterValue{}, nil, fmt.Errorf("close %s from %s: %w", c.Table, c.From, err)
		}
		closed = &c
	}
	row := ParameterValue{Table: nv.Table, From: nv.From, To: nv.To, Values: string(nv.Values), Source: nv.Source,
		CreatedBy: actorID, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	if err := tx.Create(&row).Error; err != nil {
		if database.IsDuplicate(err) {
			return ParameterValue{}, nil, httpx.Conflict("parameter_overlap",
				"Une valeur de cette table commence déjà ce jour-là.", "A value of this table already starts that day.")
		}
		return ParameterValue{}, nil, fmt.Errorf("add %s from %s: %w", nv.Table, nv.From, err)
	}
	return row, closed, nil
}

// seedParameters adds the values of the seed file that the database does
// not hold yet; a value that would overlap a stored one (an administrator's,
// say) is left out. Running it again adds nothing.
func (s *Service) seedParameters(tx *gorm.DB, raw []byte) (added int, err error) {
	vals, err := law.SplitParameters(raw)
	if err != nil {
		return 0, err
	}
	for _, v := range vals {
		_, _, err := s.addValue(tx, SeedActor, v)
		if p, ok := httpx.AsProblem(err); ok && p.Code == "parameter_overlap" {
			continue
		}
		if err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}

// MissingParameters names what the engine will report as missing on day:
// the legal interest rate of its half-year and the seizure scale of its
// year. The administrator's dashboard warns about them.
type MissingParameters struct {
	LegalRateHalfYear civil.Date // first day of the half-year without a legal rate (zero: present)
	SeizureScaleYear  int        // year without a seizure scale (0: present)
}

// Any tells whether something is missing.
func (m MissingParameters) Any() bool {
	return !m.LegalRateHalfYear.IsZero() || m.SeizureScaleYear != 0
}

// Missing looks at the memory copy, fresh as of the request's start.
func (s *Service) Missing(day civil.Date) MissingParameters {
	p := s.LawParameters()
	var m MissingParameters
	covered := false
	for _, r := range p.LegalInterest {
		if !day.Before(r.From) && !day.After(r.To) {
			covered = true
		}
	}
	if !covered {
		m.LegalRateHalfYear = civil.New(day.Year, time.January, 1)
		if day.Month >= time.July {
			m.LegalRateHalfYear = civil.New(day.Year, time.July, 1)
		}
	}
	covered = false
	for _, sc := range p.SeizureScales {
		if sc.Year == day.Year {
			covered = true
		}
	}
	if !covered {
		m.SeizureScaleYear = day.Year
	}
	return m
}

func invalid(ps []law.Problem) error {
	fields := make([]httpx.FieldError, len(ps))
	for i, p := range ps {
		fields[i] = httpx.Field(p.Field, p.FR, p.EN)
	}
	return httpx.Invalid(fields...)
}
