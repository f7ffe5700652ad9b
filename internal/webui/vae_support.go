package webui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/vae"
	"github.com/labstack/echo/v4"
)

// The VAE support person (accompagnateur) in the pages: their own list of the
// candidates they support and a read-only dossier page with the opinion and
// comment forms; and, on the candidate's and the administrator's dossier
// pages, the same support block (who, their opinion, the comments) with the
// forms each of them may use. vae.Service decides who may do what.

// supportStepsEN are the support steps of a timeline in English (the
// service writes them in French).
var supportStepsEN = map[string]string{
	"vae.support.set":     "VAE support person named.",
	"vae.support.remove":  "VAE support person removed.",
	"vae.support.opinion": "Opinion of the VAE support person given.",
	"vae.comment":         "Comment added.",
}

// supportPanel is the support block of a dossier page.
type supportPanel struct {
	vae.SupportView
	Base       string // the page the forms belong to: /training/vae/ID, /admin/vae/ID, /support/dossiers/ID
	CanChoose  bool   // the candidate or an administrator may name the support person
	CanOpine   bool   // the viewer is the support person and the request is still open
	CanComment bool
	Options    []option // who may be named
	Current    string   // the support person's id, the select's default
}

// open tells whether the support person may still be named or give an
// opinion: until the dossier is submitted.
func supportOpen(d vae.Dossier) bool {
	return d.Status == vae.StatusRequested || d.Status == vae.StatusAdmissible
}

// supportPanelOf builds the block for dos as actor sees it, base being the
// URL of the page that shows it.
func (ui *UI) supportPanelOf(ctx context.Context, p *page, actor auth.User, dos vae.Dossier, base string) (*supportPanel, error) {
	v, err := ui.VAE.Support(ctx, actor, dos.ID)
	if err != nil {
		return nil, err
	}
	sp := &supportPanel{SupportView: v, Base: base}
	isSupport := dos.SupportUserID != nil && *dos.SupportUserID == actor.ID
	owner := actor.Role == auth.RoleCandidate && actor.CandidateID != nil && *actor.CandidateID == dos.CandidateID
	sp.CanComment = isSupport || owner || actor.Role == auth.RoleAdmin
	sp.CanOpine = isSupport && supportOpen(dos)
	sp.CanChoose = (owner || actor.Role == auth.RoleAdmin) && supportOpen(dos)
	if sp.CanChoose {
		roles := []string{auth.RoleSupport}
		if actor.Role == auth.RoleAdmin { // a jury member who also accompanies candidates
			roles = append(roles, auth.RoleJury)
		}
		for _, r := range roles {
			us, err := ui.Auth.List(ctx, r)
			if err != nil {
				return nil, err
			}
			for _, u := range us {
				if u.DisabledAt != nil {
					continue
				}
				label := u.Name + labelSuffix(u.Organisation)
				if r == auth.RoleJury {
					label += p.L(" (membre de jury)", " (jury member)")
				}
				sp.Options = append(sp.Options, option{u.ID, label})
			}
		}
	}
	if v.Support != nil {
		sp.Current = v.Support.ID
	}
	return sp, nil
}

// supportRoutes registers the support person's pages, and the support forms
// of the candidate's and the administrator's dossier pages.
func (ui *UI) supportRoutes(g *echo.Group, trainee, admin *echo.Group) {
	sg := g.Group("/support", ui.require(auth.RoleSupport, auth.RoleJury))
	sg.GET("", ui.supportHome)
	sg.GET("/dossiers/:id", ui.supportDossier)
	sg.GET("/dossiers/:id/documents/:doc", ui.vaeDocument)
	sg.POST("/dossiers/:id/opinion", ui.supportOpinion())
	sg.POST("/dossiers/:id/comments", ui.supportComment(ui.showSupportDossier, "/support/dossiers/"))

	showTrainee := func(c echo.Context, p *page, status int) error { return ui.showVAEDossier(c, p, status, "trainee/vae") }
	trainee.POST("/vae/:id/support", ui.supportChoose(showTrainee, "/training/vae/"))
	trainee.POST("/vae/:id/comments", ui.supportComment(showTrainee, "/training/vae/"))
	admin.POST("/vae/:id/support", ui.supportChoose(ui.showAdminVAEDossier, "/admin/vae/"))
	admin.POST("/vae/:id/comments", ui.supportComment(ui.showAdminVAEDossier, "/admin/vae/"))
}

type supportRow struct {
	vae.Dossier
	CandidateName, CertTitle string
}

func (ui *UI) supportHome(c echo.Context) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	p := ui.newPage(c, "Candidats accompagnés", "Supported candidates")
	ds, _, err := ui.VAE.List(ctx, actor, vae.ListQuery{Limit: 200})
	if err != nil {
		return err
	}
	var rows []supportRow
	for _, d := range ds {
		if d.SupportUserID == nil || *d.SupportUserID != actor.ID {
			continue // a jury member's list also holds the dossiers handed to their juries
		}
		cand, err := ui.Candidates.Get(ctx, actor, d.CandidateID)
		if err != nil {
			return err
		}
		rows = append(rows, supportRow{Dossier: d, CandidateName: cand.FullName(), CertTitle: ui.certTitle(d.Certification)})
	}
	p.Data = rows
	return ui.render(c, http.StatusOK, "support/home", p)
}

type supportDossierData struct {
	D         vae.Dossier
	Candidate string
	CertTitle string
	Timeline  []vaeEvent
	Support   *supportPanel
}

func (ui *UI) supportDossier(c echo.Context) error {
	return ui.showSupportDossier(c, ui.newPage(c, "Dossier VAE", "VAE dossier"), http.StatusOK)
}

func (ui *UI) showSupportDossier(c echo.Context, p *page, status int) error {
	actor, _ := auth.UserFrom(c)
	ctx := c.Request().Context()
	dos, cand, evs, err := ui.dossierOf(c, actor)
	if err != nil {
		return err
	}
	d := supportDossierData{D: dos, Candidate: cand.FullName(), CertTitle: ui.certTitle(dos.Certification)}
	for _, e := range evs {
		d.Timeline = append(d.Timeline, vaeEvent{Event: e, Actor: p.T("role." + e.ActorRole)})
	}
	if d.Support, err = ui.supportPanelOf(ctx, p, actor, dos, "/support/dossiers/"+dos.ID); err != nil {
		return err
	}
	p.Title = p.L("Dossier VAE de ", "VAE dossier of ") + d.Candidate
	p.Data = d
	return ui.render(c, status, "support/dossier", p)
}

// supportForm handles one of the support block's forms: submit reads the
// form and calls the service, giving the flash message of a success; a
// refusal re-shows the page (show) with the field's error next to it.
func (ui *UI) supportForm(show func(echo.Context, *page, int) error, base string, fields func(p *page) map[string]field,
	submit func(c echo.Context, actor auth.User, p *page, form url.Values) (string, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		actor, _ := auth.UserFrom(c)
		p := ui.newPage(c, "Dossier VAE", "VAE dossier")
		form, err := formInto(c, p)
		if err != nil {
			return err
		}
		msg, err := submit(c, actor, p, form)
		if err == nil {
			return ui.redirect(c, base+url.PathEscape(c.Param("id"))+"#support", msg)
		}
		if !p.formProblem(err, fields(p)) {
			return err
		}
		return show(c, p, formStatus(err))
	}
}

// supportChoose names (or removes) the support person from a dossier page.
func (ui *UI) supportChoose(show func(echo.Context, *page, int) error, base string) echo.HandlerFunc {
	return ui.supportForm(show, base, func(p *page) map[string]field {
		return map[string]field{"user_id": {"support_user_id", p.L("Accompagnateur", "Support person")}}
	}, func(c echo.Context, actor auth.User, p *page, form url.Values) (string, error) {
		in := vae.SupportChoice{UserID: strings.TrimSpace(form.Get("support_user_id"))}
		if err := ui.validate.Validate(in); err != nil {
			return "", err
		}
		if _, err := ui.VAE.SetSupport(c.Request().Context(), actor, c.Param("id"), in); err != nil {
			return "", err
		}
		if in.UserID == "" {
			return p.L("Accompagnateur retiré.", "Support person removed."), nil
		}
		return p.L("Accompagnateur désigné.", "Support person named."), nil
	})
}

// supportComment leaves a comment from a dossier page.
func (ui *UI) supportComment(show func(echo.Context, *page, int) error, base string) echo.HandlerFunc {
	return ui.supportForm(show, base, func(p *page) map[string]field {
		return map[string]field{"text": {"comment", p.L("Commentaire", "Comment")}}
	}, func(c echo.Context, actor auth.User, p *page, form url.Values) (string, error) {
		in := vae.NewComment{Text: strings.TrimSpace(form.Get("comment"))}
		if err := ui.validate.Validate(in); err != nil {
			return "", err
		}
		_, err := ui.VAE.AddComment(c.Request().Context(), actor, c.Param("id"), in)
		return p.L("Commentaire ajouté.", "Comment added."), err
	})
}

// supportOpinion records the support person's opinion on the request.
func (ui *UI) supportOpinion() echo.HandlerFunc {
	return ui.supportForm(ui.showSupportDossier, "/support/dossiers/", func(p *page) map[string]field {
		return map[string]field{"text": {"opinion", p.L("Avis", "Opinion")}}
	}, func(c echo.Context, actor auth.User, p *page, form url.Values) (string, error) {
		in := vae.NewOpinion{Text: strings.TrimSpace(form.Get("opinion"))}
		if err := ui.validate.Validate(in); err != nil {
			return "", err
		}
		_, err := ui.VAE.GiveOpinion(c.Request().Context(), actor, c.Param("id"), in)
		return p.L("Avis enregistré.", "Opinion recorded."), err
	})
}
