package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/jobs"
	"github.com/ancr/cqp/internal/platform/messages"
	"gorm.io/gorm"
)

// jobReminders is the daily run of the dated reminders.
const jobReminders = "reminders.daily"

// ReminderReport counts what one run of the reminders wrote. A reminder is
// written once per subject and threshold (its message's dedupe key), so a
// second run the same day writes nothing.
type ReminderReport struct {
	VAEImplicit  int `json:"vae_implicit"`  // requests accepted by silence (their message is the VAE feature's)
	Expiry6m     int `json:"expiry_6m"`     // holders told a component expires within 6 months
	Expiry1m     int `json:"expiry_1m"`     // ... within 1 month
	AdminDigests int `json:"admin_digests"` // administrators sent the day's list
	JuryPending  int `json:"jury_pending"`  // members reminded of scores or a signature due
	VAEDeadlines int `json:"vae_deadlines"` // administrators reminded of a VAE deadline near
	Accrochage   int `json:"accrochage"`    // administrators sent the list of certificates to declare to the SI CPF
}

// vaeDeadlineNotice is how many days before a VAE request's two-month
// deadline the administrators are reminded.
const vaeDeadlineNotice = 15

func (a *App) registerReminders() {
	a.Jobs.Handle(jobReminders, func(ctx context.Context, r *jobs.Run) error {
		rep, err := a.SendReminders(ctx)
		if err != nil {
			return err
		}
		return r.SetResult(rep)
	}, jobs.HandlerOptions{Lease: 30 * time.Minute, MaxAttempts: 3})
}

// expiryItem is one line of a reminder about a component's expiry.
type expiryItem struct {
	Certification, Component, Title string
	Holder                          string
	AcquiredOn, ExpiresOn           civil.Date
	Threshold                       string // "6m" or "1m"
	decisionID                      string
}

// SendReminders runs the dated reminders once (the daily job, and `cqp
// reminders send`): implicit VAE admissibility, components expiring within 6
// months and within 1 month (to the holder, and a list to administrators),
// jury work due, VAE deadlines near.
func (a *App) SendReminders(ctx context.Context) (ReminderReport, error) {
	var rep ReminderReport
	today := civil.Of(a.Now().In(messages.Paris))
	n, err := a.VAE.ApplyImplicitAdmissibility(ctx)
	if err != nil {
		return rep, err
	}
	rep.VAEImplicit = n

	within1m, err := a.Candidates.ExpiringBy(ctx, today, today.AddMonths(1))
	if err != nil {
		return rep, err
	}
	within6m, err := a.Candidates.ExpiringBy(ctx, today, today.AddMonths(6))
	if err != nil {
		return rep, err
	}
	soon := map[string]bool{}
	for _, e := range within1m {
		soon[e.DecisionID] = true
	}
	var fresh []expiryItem
	type due struct {
		e         candidates.Expiring
		threshold string
	}
	var all []due
	for _, e := range within1m {
		all = append(all, due{e, "1m"})
	}
	for _, e := range within6m {
		if !soon[e.DecisionID] { // within a month: the nearer reminder says it
			all = append(all, due{e, "6m"})
		}
	}
	// A hundred reminders a transaction: each is once-only by its key, so a
	// batch cut short by a crash is completed, not repeated, by the next run.
	const batch = 100
	for i := 0; i < len(all); i += batch {
		err := database.Tx(ctx, a.DB, func(tx *gorm.DB) error {
			for _, d := range all[i:min(i+batch, len(all))] {
				item, sent, err := a.remindExpiry(tx, d.e, d.threshold)
				if err != nil {
					return err
				}
				if sent {
					if d.threshold == "1m" {
						rep.Expiry1m++
					} else {
						rep.Expiry6m++
					}
					fresh = append(fresh, item)
				}
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
	}
	admins, err := a.activeAdmins(ctx)
	if err != nil {
		return rep, err
	}
	if len(fresh) > 0 {
		// The list's key is its content: a second run the same day that
		// finds new components sends a second list, of those only.
		h := sha256.New()
		for _, f := range fresh {
			fmt.Fprintf(h, "%s|%s|%s\n", f.decisionID, f.Threshold, f.ExpiresOn)
		}
		key := hex.EncodeToString(h.Sum(nil))[:32]
		for _, ad := range admins {
			sent, err := a.enqueue(ctx, messages.Draft{Kind: messages.KindExpiryReminder, To: ad,
				DedupeKey: "expiry-digest:" + ad.UserID + ":" + key,
				Data:      map[string]any{"Digest": true, "Items": fresh, "Count": len(fresh), "Link": "/admin/candidates"}})
			if err != nil {
				return rep, err
			}
			if sent {
				rep.AdminDigests++
			}
		}
	}

	pending, err := a.Jury.PendingWork(ctx, today)
	if err != nil {
		return rep, err
	}
	for _, p := range pending {
		u, err := a.Auth.Get(ctx, p.UserID)
		if err != nil || u.DisabledAt != nil {
			continue // an account removed or disabled since: nobody to remind
		}
		title := p.Certification
		if c, ok := a.Referential.Certification(p.Certification); ok {
			title = c.Title
		}
		sent, err := a.enqueue(ctx, messages.Draft{Kind: messages.KindJuryPending,
			To:        messages.Recipient{UserID: u.ID, Email: u.Email, Name: u.Name, Lang: u.Locale},
			DedupeKey: "jury_pending:" + p.JuryID + ":" + p.UserID + ":" + p.Stage,
			Data: map[string]any{"Stage": p.Stage, "Certification": title, "Date": p.SessionDate, "Candidates": p.Candidates,
				"Count": len(p.Candidates), "Link": "/jury/" + p.JuryID}})
		if err != nil {
			return rep, err
		}
		if sent {
			rep.JuryPending++
		}
	}

	if err := a.remindAccrochage(ctx, today, admins, &rep); err != nil {
		return rep, err
	}

	nearing, err := a.VAE.NearingDeadline(ctx, today, vaeDeadlineNotice)
	if err != nil {
		return rep, err
	}
	for _, d := range nearing {
		holder := d.CandidateID
		if c, err := a.Candidates.Get(ctx, auth.User{ID: "system", Role: auth.RoleAdmin}, d.CandidateID); err == nil {
			holder = c.FullName()
		}
		for _, ad := range admins {
			sent, err := a.enqueue(ctx, messages.Draft{Kind: messages.KindVAEDeadline, To: ad,
				DedupeKey: "vae_deadline:" + d.ID + ":" + ad.UserID,
				Data: map[string]any{"Candidate": holder, "Deadline": d.AdmissibilityDeadline,
					"Days": d.AdmissibilityDeadline.Time().Sub(today.Time()).Hours() / 24, "Link": "/admin/vae/" + d.ID}})
			if err != nil {
				return rep, err
			}
			if sent {
				rep.VAEDeadlines++
			}
		}
	}
	return rep, nil
}

// remindAccrochage sends administrators the certificates still to declare
// to the SI CPF two and a half months after issuance. The list's key is
// its content: it goes again only when it changes (a certificate joins it,
// or leaves it once declared, and others remain).
func (a *App) remindAccrochage(ctx context.Context, today civil.Date, admins []messages.Recipient, rep *ReminderReport) error {
	due, err := a.Accrochage.Due(ctx, today)
	if err != nil || len(due) == 0 {
		return err
	}
	h := sha256.New()
	for _, d := range due {
		fmt.Fprintf(h, "%s\n", d.Number)
	}
	key := hex.EncodeToString(h.Sum(nil))[:32]
	for _, ad := range admins {
		sent, err := a.enqueue(ctx, messages.Draft{Kind: messages.KindAccrochageDue, To: ad,
			DedupeKey: "accrochage-due:" + ad.UserID + ":" + key,
			Data:      map[string]any{"Items": due, "Count": len(due), "Link": "/admin/accrochage"}})
		if err != nil {
			return err
		}
		if sent {
			rep.Accrochage++
		}
	}
	return nil
}

// remindExpiry tells a holder that a component expires, once per period
// and threshold.
func (a *App) remindExpiry(tx *gorm.DB, e candidates.Expiring, threshold string) (expiryItem, bool, error) {
	item := expiryItem{Certification: e.Certification, Component: e.Component, AcquiredOn: e.AcquiredOn, ExpiresOn: e.ExpiresOn,
		Threshold: threshold, decisionID: e.DecisionID}
	if c, ok := a.Referential.Certification(e.Certification); ok {
		item.Certification = c.Title
		for _, comp := range c.Components {
			if comp.Code == e.Component {
				item.Title = comp.Title
			}
		}
	}
	to, ok, err := candidates.Recipient(tx, e.CandidateID)
	if err != nil || !ok {
		return item, false, err
	}
	item.Holder = to.Name
	_, sent, err := a.Outbox.Enqueue(tx, messages.Draft{Kind: messages.KindExpiryReminder, To: to,
		DedupeKey: "expiry:" + e.DecisionID + ":" + threshold,
		Data:      map[string]any{"Items": []expiryItem{item}, "Threshold": threshold, "Account": to.UserID != ""}})
	return item, sent, err
}

func (a *App) enqueue(ctx context.Context, d messages.Draft) (bool, error) {
	var sent bool
	err := database.Tx(ctx, a.DB, func(tx *gorm.DB) (err error) {
		_, sent, err = a.Outbox.Enqueue(tx, d)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("reminder %s: %w", d.Kind, err)
	}
	return sent, nil
}

// activeAdmins are the administrators who receive the lists.
func (a *App) activeAdmins(ctx context.Context) ([]messages.Recipient, error) {
	us, err := a.Auth.List(ctx, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	var out []messages.Recipient
	for _, u := range us {
		if u.DisabledAt == nil && u.ActivatedAt != nil {
			out = append(out, messages.Recipient{UserID: u.ID, Email: u.Email, Name: u.Name, Lang: u.Locale})
		}
	}
	return out, nil
}
