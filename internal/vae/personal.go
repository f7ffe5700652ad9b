package vae

import (
	"context"
	"fmt"
	"slices"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/ancr/cqp/internal/platform/auth"
	"gorm.io/gorm"
)

// ExportCandidate is the VAE part of a candidate's personal-data export:
// their dossiers with experiences, documents (described, not embedded) and
// timelines.
func (s *Service) ExportCandidate(ctx context.Context, candidateID string) (candidates.PersonalData, error) {
	pd := candidates.PersonalData{Section: "vae"}
	db := s.db.WithContext(ctx)
	var ds []Dossier
	if err := db.Where("candidate_id = ?", candidateID).Order("id").Find(&ds).Error; err != nil {
		return pd, fmt.Errorf("vae export: %w", err)
	}
	type withTimeline struct {
		Dossier
		Timeline []Event     `json:"timeline"`
		Support  SupportView `json:"support"`
	}
	out := make([]withTimeline, 0, len(ds))
	refs := map[string][]string{}
	for _, d := range ds {
		var err error
		if err = s.fill(db, &d); err != nil {
			return pd, err
		}
		w := withTimeline{Dossier: d, Timeline: []Event{}}
		if err := db.Where("dossier_id = ?", d.ID).Order("at, id").Find(&w.Timeline).Error; err != nil {
			return pd, fmt.Errorf("vae export: %w", err)
		}
		if w.Support, err = s.supportOf(db, d); err != nil {
			return pd, err
		}
		for _, c := range w.Support.Comments {
			refs["vae_comment"] = append(refs["vae_comment"], c.ID)
		}
		refs["vae_dossier"] = append(refs["vae_dossier"], d.ID)
		for _, e := range d.Experiences {
			refs["vae_experience"] = append(refs["vae_experience"], e.ID)
		}
		for _, doc := range d.Documents {
			refs["vae_document"] = append(refs["vae_document"], doc.ID)
		}
		out = append(out, w)
	}
	pd.Data = out
	for entity, ids := range refs {
		pd.Records = append(pd.Records, candidates.AuditRef{Entity: entity, IDs: ids})
	}
	return pd, nil
}

// PseudonymiseCandidate erases what the candidate wrote and sent: motivation,
// experiences and documents (their files are removed once the transaction
// has committed). The dossiers' steps and the admissibility decision stay,
// without personal content, for the certifier's records.
func (s *Service) PseudonymiseCandidate(ctx context.Context, tx *gorm.DB, actor auth.User, candidateID string) (func(), error) {
	var ids []string
	if err := tx.Model(&Dossier{}).Where("candidate_id = ?", candidateID).Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("vae pseudonymise: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var sums []string // one per document: each counts one reference
	if err := tx.Model(&Document{}).Where("dossier_id IN ?", ids).Pluck("sha256", &sums).Error; err != nil {
		return nil, fmt.Errorf("vae pseudonymise: %w", err)
	}
	for _, sum := range sums {
		if err := s.blobs.Release(tx, sum); err != nil {
			return nil, fmt.Errorf("vae pseudonymise: %w", err)
		}
	}
	for _, q := range []struct {
		model any
		where string
	}{{&Document{}, "dossier_id IN ?"}, {&Experience{}, "dossier_id IN ?"},
		{&Comment{}, "dossier_id IN ?"}, {&SupportOpinion{}, "dossier_id IN ?"}} {
		if err := tx.Where(q.where, ids).Delete(q.model).Error; err != nil {
			return nil, fmt.Errorf("vae pseudonymise: %w", err)
		}
	}
	if err := tx.Model(&Dossier{}).Where("id IN ?", ids).Updates(map[string]any{"motivation": "", "admissibility_note": ""}).Error; err != nil {
		return nil, fmt.Errorf("vae pseudonymise: %w", err)
	}
	// Labels of experiences and documents name employers and files; other
	// labels are fixed text. Details may quote the candidate: all go.
	if err := tx.Model(&Event{}).Where("dossier_id IN ?", ids).Update("detail", "").Error; err != nil {
		return nil, fmt.Errorf("vae pseudonymise: %w", err)
	}
	if err := tx.Model(&Event{}).Where("dossier_id IN ? AND (action LIKE ? OR action LIKE ?)", ids, "vae.experience.%", "vae.document.%").
		Update("label", "Élément effacé (pseudonymisation).").Error; err != nil {
		return nil, fmt.Errorf("vae pseudonymise: %w", err)
	}
	if err := audit.Record(tx, s.now(), audit.Event{ActorID: actor.ID, Action: "vae.pseudonymise", Entity: "candidate", EntityID: candidateID,
		After: map[string]any{"dossiers": len(ids), "documents_removed": len(sums)}}); err != nil {
		return nil, err
	}
	return func() {
		for _, sum := range slices.Compact(slices.Sorted(slices.Values(sums))) {
			_ = s.blobs.Collect(context.WithoutCancel(ctx), sum) // else collected by the daily maintenance
		}
	}, nil
}
