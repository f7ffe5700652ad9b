package accrochage

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/ancr/cqp/internal/platform/messages"
	"github.com/ancr/cqp/internal/referential"
	"gorm.io/gorm"
)

// Registry is the registry whose certifications the flow declares.
const Registry = "RNCP"

// Settings are the certifier's identifiers at the Caisse des Dépôts.
type Settings struct {
	IDClient  string     `json:"id_client"`
	IDContrat string     `json:"id_contrat"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// SettingsInput is the body of PUT /api/v1/accrochage/settings.
type SettingsInput struct {
	IDClient  string `json:"id_client"`
	IDContrat string `json:"id_contrat"`
}

// settingsRow is the one row of the certifier's settings.
type settingsRow struct {
	ID        int    `gorm:"primaryKey;autoIncrement:false"`
	IDClient  string `gorm:"size:8;not null"`
	IDContrat string `gorm:"size:20;not null"`
	UpdatedAt time.Time
	UpdatedBy string `gorm:"size:36;not null"`
}

func (settingsRow) TableName() string { return "accrochage_settings" }

// SentFlow is a flow written for the Caisse des Dépôts.
type SentFlow struct {
	ID        string     `gorm:"primaryKey;size:36" json:"id"`
	From      civil.Date `gorm:"column:period_from" json:"from"`
	To        civil.Date `gorm:"column:period_to" json:"to"`
	Passages  int        `gorm:"not null" json:"passages"`
	CreatedBy string     `gorm:"size:36;not null" json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
}

func (SentFlow) TableName() string { return "accrochage_flows" }

// item is a certificate declared in a flow.
type item struct {
	FlowID        string `gorm:"primaryKey;size:36"`
	CertificateID string `gorm:"primaryKey;size:36;index"`
	Number        string `gorm:"size:40;not null"`
}

func (item) TableName() string { return "accrochage_items" }

// Migrations creates the feature's tables.
func Migrations() []*database.Migration {
	return []*database.Migration{{
		ID: "2026120511_accrochage",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&settingsRow{}, &SentFlow{}); err != nil {
				return err
			}
			return tx.AutoMigrate(&item{})
		},
	}}
}

// Options is what the service is built with.
type Options struct {
	DB          *gorm.DB
	Now         func() time.Time
	Referential Certifications
}

// Certifications is what the feature reads of the referential.
type Certifications interface {
	Certification(code string) (referential.Certification, bool)
}

// Service is the SI CPF feature.
type Service struct {
	db  *gorm.DB
	now func() time.Time
	ref Certifications
}

// NewService builds the service.
func NewService(o Options) *Service {
	return &Service{db: o.DB, now: o.Now, ref: o.Referential}
}

// Entry is a certificate as the accrochage page lists it.
type Entry struct {
	Number        string     `json:"number"`
	CandidateID   string     `json:"candidate_id"`
	Holder        string     `json:"holder"`
	Certification string     `json:"certification"`
	IssuedOn      civil.Date `json:"issued_on"`
	// DueOn is the last day to send it: three months after issuance.
	DueOn civil.Date `json:"due_on"`
	// Missing names the identity fields to complete before it can be sent
	// (« à compléter »); empty when it is ready.
	Missing []string `json:"missing"`
	// Sent is the last flow that declared it, and when.
	FlowID string     `json:"flow_id,omitempty"`
	SentAt *time.Time `json:"sent_at,omitempty"`
}

// Overview is the accrochage page: settings, certificates to send (oldest
// first), and those sent (latest first).
type Overview struct {
	Settings Settings   `json:"settings"`
	ToSend   []Entry    `json:"to_send"`
	Sent     []Entry    `json:"sent"`
	Flows    []SentFlow `json:"flows"`
}

// DueOn is the last day to declare a certificate issued on `on`: three
// months later (décret n° 2019-1490).
func DueOn(on civil.Date) civil.Date { return on.AddMonths(3) }

// RemindOn is the day a certificate still unsent is brought to the
// administrators' attention: two and a half months after issuance.
func RemindOn(on civil.Date) civil.Date { return on.AddMonths(2).AddDays(15) }

// GetSettings reads the certifier's identifiers (empty until saved).
func (s *Service) GetSettings(ctx context.Context) (Settings, error) {
	var rows []settingsRow
	if err := s.db.WithContext(ctx).Where("id = 1").Limit(1).Find(&rows).Error; err != nil {
		return Settings{}, fmt.Errorf("accrochage settings: %w", err)
	}
	if len(rows) == 0 {
		return Settings{}, nil
	}
	at := rows[0].UpdatedAt
	return Settings{IDClient: rows[0].IDClient, IDContrat: rows[0].IDContrat, UpdatedAt: &at}, nil
}

// SaveSettings records the certifier's identifiers, audited.
func (s *Service) SaveSettings(ctx context.Context, actor auth.User, in SettingsInput) (Settings, error) {
	in.IDClient, in.IDContrat = strings.ToUpper(strings.TrimSpace(in.IDClient)), strings.TrimSpace(in.IDContrat)
	var fs []httpx.FieldError // the forms say it all: no tag rules
	if !IDClientRE.MatchString(in.IDClient) {
		fs = append(fs, httpx.Field("id_client", "L'identifiant client de la Caisse des Dépôts a huit lettres ou chiffres.",
			"The Caisse des Dépôts client id has eight letters or digits."))
	}
	if !IDContratRE.MatchString(in.IDContrat) {
		fs = append(fs, httpx.Field("id_contrat", "Le numéro de contrat a de 1 à 20 lettres ou chiffres.",
			"The contract number has 1 to 20 letters or digits."))
	}
	if len(fs) > 0 {
		return Settings{}, httpx.Invalid(fs...)
	}
	now := s.now().UTC()
	row := settingsRow{ID: 1, IDClient: in.IDClient, IDContrat: in.IDContrat, UpdatedAt: now, UpdatedBy: actor.ID}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Save(&row).Error; err != nil {
			return fmt.Errorf("accrochage settings: %w", err)
		}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "accrochage.settings", Entity: "accrochage_settings",
			EntityID: "1", After: in})
	})
	if err != nil {
		return Settings{}, err
	}
	return Settings{IDClient: row.IDClient, IDContrat: row.IDContrat, UpdatedAt: &now}, nil
}

// candidate is a registered certificate with its holder, ready or not.
type candidate struct {
	cert    certificates.Registered
	holder  Holder
	name    string
	access  string
	missing []string
}

// gather reads the certificates in force declared to the registry and
// issued in [from, to], with their holders' identity and pathway.
func (s *Service) gather(tx *gorm.DB, from, to civil.Date) ([]candidate, error) {
	regs, err := certificates.RegisteredIn(tx, Registry, from, to)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(regs))
	byCert := map[string][]string{}
	for _, r := range regs {
		ids = append(ids, r.CandidateID)
		byCert[r.Certification] = append(byCert[r.Certification], r.CandidateID)
	}
	people, err := candidates.LoadMany(tx, ids)
	if err != nil {
		return nil, err
	}
	pathways := map[string]map[string]string{}
	for cert, cids := range byCert {
		if pathways[cert], err = candidates.Pathways(tx, cids, cert); err != nil {
			return nil, err
		}
	}
	out := make([]candidate, 0, len(regs))
	for _, r := range regs {
		p := people[r.CandidateID]
		h := Holder{BirthName: p.BirthName, UsageName: p.UsageName, FirstName: p.FirstName, BirthDate: p.BirthDate,
			Sex: p.Sex, INSEE: p.BirthPlaceINSEE, PostalCode: p.BirthPostalCode}
		if h.UsageName == "" && p.LastName != "" && p.LastName != p.BirthName {
			h.UsageName = p.LastName // the name in use is the record's last name
		}
		c := candidate{cert: r, holder: h, name: p.FullName(), missing: h.Missing()}
		if p.PseudonymisedAt != nil {
			c.missing = []string{"pseudonymised"}
		}
		access, ok := Access(pathways[r.Certification][r.CandidateID])
		if !ok {
			c.missing = append(c.missing, "pathway")
		}
		c.access = access
		out = append(out, c)
	}
	return out, nil
}

// sentTo maps the certificates already declared to their latest flow.
func sentTo(tx *gorm.DB) (map[string]SentFlow, error) {
	var rows []struct {
		CertificateID string
		SentFlow
	}
	err := tx.Table("accrochage_items AS i").Joins("JOIN accrochage_flows f ON f.id = i.flow_id").
		Select("i.certificate_id, f.id, f.period_from, f.period_to, f.passages, f.created_by, f.created_at").
		Order("f.created_at, f.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("accrochage flows: %w", err)
	}
	out := make(map[string]SentFlow, len(rows))
	for _, r := range rows {
		out[r.CertificateID] = r.SentFlow
	}
	return out, nil
}

func (c candidate) entry() Entry {
	return Entry{Number: c.cert.Number, CandidateID: c.cert.CandidateID, Holder: c.name, Certification: c.cert.Certification,
		IssuedOn: c.cert.IssuedOn, DueOn: DueOn(c.cert.IssuedOn), Missing: append([]string{}, c.missing...)}
}

// Overview lists what is to send and what was sent.
func (s *Service) Overview(ctx context.Context) (Overview, error) {
	db := s.db.WithContext(ctx)
	o := Overview{ToSend: []Entry{}, Sent: []Entry{}, Flows: []SentFlow{}}
	var err error
	if o.Settings, err = s.GetSettings(ctx); err != nil {
		return o, err
	}
	all, err := s.gather(db, civil.Date{}, civil.Date{})
	if err != nil {
		return o, err
	}
	sent, err := sentTo(db)
	if err != nil {
		return o, err
	}
	for _, c := range all {
		e := c.entry()
		if f, ok := sent[c.cert.ID]; ok {
			at := f.CreatedAt
			e.FlowID, e.SentAt, e.Missing = f.ID, &at, []string{}
			o.Sent = append(o.Sent, e)
			continue
		}
		o.ToSend = append(o.ToSend, e)
	}
	sort.SliceStable(o.Sent, func(i, j int) bool { return o.Sent[i].SentAt.After(*o.Sent[j].SentAt) })
	if err := db.Order("created_at DESC, id DESC").Limit(50).Find(&o.Flows).Error; err != nil {
		return o, fmt.Errorf("accrochage flows: %w", err)
	}
	return o, nil
}

// Due lists the certificates not yet sent whose reminder day has come
// (two and a half months after issuance), oldest first.
func (s *Service) Due(ctx context.Context, today civil.Date) ([]Entry, error) {
	db := s.db.WithContext(ctx)
	all, err := s.gather(db, civil.Date{}, today.AddMonths(-2).AddDays(-15))
	if err != nil {
		return nil, err
	}
	sent, err := sentTo(db)
	if err != nil {
		return nil, err
	}
	out := []Entry{}
	for _, c := range all {
		if _, ok := sent[c.cert.ID]; !ok && !today.Before(RemindOn(c.cert.IssuedOn)) {
			out = append(out, c.entry())
		}
	}
	return out, nil
}

// Export builds the flow of the certificates issued in [from, to] whose
// holders are complete, records it as sent (its id is the file's idFlux)
// and returns it with the certificates left out for want of identity
// fields. A period with nothing to send gives an empty, valid flow.
func (s *Service) Export(ctx context.Context, actor auth.User, from, to civil.Date) (Flow, []Entry, error) {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return Flow{}, nil, httpx.Invalid(httpx.Field("to", "La fin de la période précède son début.", "The period ends before it starts."))
	}
	set, err := s.GetSettings(ctx)
	if err != nil {
		return Flow{}, nil, err
	}
	if set.IDClient == "" || set.IDContrat == "" {
		return Flow{}, nil, httpx.Unprocessable("settings_missing",
			"Renseignez d'abord l'identifiant client et le numéro de contrat de la Caisse des Dépôts (page SI CPF).",
			"First record the Caisse des Dépôts client id and contract number (SI CPF page).")
	}
	now := s.now()
	f := Flow{ID: database.NewID(), At: now.In(messages.Paris), IDClient: set.IDClient, IDContrat: set.IDContrat}
	var incomplete []Entry
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		all, err := s.gather(tx, from, to)
		if err != nil {
			return err
		}
		byCode := map[string]int{}
		var items []item
		for _, c := range all {
			if len(c.missing) > 0 {
				incomplete = append(incomplete, c.entry())
				continue
			}
			key := c.cert.Certification + "|" + c.cert.RegistryNumber
			i, ok := byCode[key]
			if !ok {
				i = len(f.Certifications)
				byCode[key] = i
				f.Certifications = append(f.Certifications, Certification{Registry: Registry, Number: c.cert.RegistryNumber})
			}
			f.Certifications[i].Passages = append(f.Certifications[i].Passages,
				Passage{ID: c.cert.Number, ValidFrom: c.cert.AwardedOn, Access: c.access, Holder: c.holder})
			items = append(items, item{FlowID: f.ID, CertificateID: c.cert.ID, Number: c.cert.Number})
		}
		row := SentFlow{ID: f.ID, From: from, To: to, Passages: len(items), CreatedBy: actor.ID, CreatedAt: now.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("accrochage flow: %w", err)
		}
		if len(items) > 0 {
			if err := tx.CreateInBatches(&items, 500).Error; err != nil {
				return fmt.Errorf("accrochage flow items: %w", err)
			}
		}
		// Who sent which holders' identities outside (GDPR): the journal
		// names the flow and the certificates, not the people.
		numbers := make([]string, len(items))
		for i, it := range items {
			numbers[i] = it.Number
		}
		return audit.Record(tx, now, audit.Event{ActorID: actor.ID, Action: "export.accrochage", Entity: "accrochage_flow",
			EntityID: f.ID, After: map[string]any{"from": from, "to": to, "certificates": numbers, "left_out": len(incomplete)}})
	})
	if err != nil {
		return Flow{}, nil, err
	}
	return f, incomplete, nil
}
