package webui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/platform/audit"
	"github.com/labstack/echo/v4"
)

type auditRow struct {
	audit.Entry
	Actor         string
	Verb          string // the action in words
	Kind          string // the kind of record in words
	Whom          string // the record's name, when it is a person
	Before, After string // indented JSON
}

type auditData struct {
	Rows                              []auditRow
	Entity, EntityID, ActorID, Action string
	Next                              int64
	Check                             *audit.Report
}

// auditLog is the journal viewer: newest first, filtered like the API's
// GET /audit, each row with its record before and after.
func (ui *UI) auditLog(c echo.Context) error {
	p := ui.newPage(c, "Journal d'audit", "Audit log")
	ctx := c.Request().Context()
	d := auditData{
		Entity: strings.TrimSpace(c.QueryParam("entity")), EntityID: strings.TrimSpace(c.QueryParam("entity_id")),
		ActorID: strings.TrimSpace(c.QueryParam("actor_id")), Action: strings.TrimSpace(c.QueryParam("action")),
	}
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	const limit = 50
	rows, err := audit.List(ctx, ui.DB, audit.Query{Entity: d.Entity, EntityID: d.EntityID, ActorID: d.ActorID,
		Action: d.Action, BeforeSeq: before, Limit: limit})
	if err != nil {
		return err
	}
	names := map[string]string{"system": p.L("Système", "System")}
	if users, err := ui.Auth.List(ctx, ""); err == nil {
		for _, u := range users {
			names[u.ID] = u.Name
		}
	}
	var cids []string
	for _, r := range rows {
		if r.Entity == "candidate" {
			cids = append(cids, r.EntityID)
		}
	}
	people, err := candidates.Names(ui.DB.WithContext(ctx), cids)
	if err != nil {
		return err
	}
	for _, r := range rows {
		ar := auditRow{Entry: r, Actor: names[r.ActorID], Before: indentJSON(r.Before), After: indentJSON(r.After),
			Verb: auditVerb(p.Lang, r.Action), Kind: auditEntity(p.Lang, r.Entity)}
		switch r.Entity {
		case "candidate":
			ar.Whom = people[r.EntityID]
		case "user":
			ar.Whom = names[r.EntityID]
		}
		if ar.Actor == "" {
			ar.Actor = r.ActorID
		}
		d.Rows = append(d.Rows, ar)
	}
	if len(rows) == limit {
		d.Next = rows[len(rows)-1].Seq
	}
	if c.QueryParam("verify") == "1" {
		rep, err := audit.Verify(ctx, ui.DB)
		if err != nil {
			return err
		}
		d.Check = &rep
	}
	p.Data = d
	return ui.render(c, http.StatusOK, "admin/audit", p)
}

func indentJSON(s string) string {
	if s == "" {
		return ""
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return s
	}
	return string(b)
}
