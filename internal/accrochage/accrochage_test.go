package accrochage_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ancr/cqp/internal/accrochage"
	"github.com/ancr/cqp/internal/app/apptest"
	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/certificates"
	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/platform/auth"
	"github.com/ancr/cqp/internal/platform/database"
	"github.com/ancr/cqp/internal/platform/messages"
)

const clerc = "clerc-recouvrement-amiable"

// parsed is what a test reads back of a flow.
type parsed struct {
	XMLName        xml.Name `xml:"flux"`
	ID             string   `xml:"idFlux"`
	At             string   `xml:"horodatage"`
	Client         string   `xml:"emetteur>idClient"`
	Certificateurs []struct {
		Client         string `xml:"idClient"`
		Contract       string `xml:"idContrat"`
		Certifications []struct {
			Type     string    `xml:"type"`
			Code     string    `xml:"code"`
			Passages []passage `xml:"passageCertifications>passageCertification"`
		} `xml:"certifications>certification"`
	} `xml:"emetteur>certificateurs>certificateur"`
}

type passage struct {
	ID        string `xml:"idTechnique"`
	Obtention string `xml:"obtentionCertification"`
	From      string `xml:"dateDebutValidite"`
	Access    string `xml:"modalitesInscription>modaliteAcces"`
	Holder    struct {
		BirthName string `xml:"nomNaissance"`
		UsageName struct {
			Text string `xml:",chardata"`
			Nil  string `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
		} `xml:"nomUsage"`
		FirstName string `xml:"prenom1"`
		Year      string `xml:"anneeNaissance"`
		Month     string `xml:"moisNaissance"`
		Day       string `xml:"jourNaissance"`
		Sex       string `xml:"sexe"`
		INSEE     string `xml:"codeCommuneNaissance>codeInseeNaissance>codeInsee"`
		Postal    string `xml:"codeCommuneNaissance>codePostalNaissance>codePostal"`
	} `xml:"identificationTitulaire>titulaire"`
}

type world struct {
	env   *apptest.Env
	admin string
}

// decide records final decisions on every component of the CQP Clerc.
func (w world) acquire(t *testing.T, candidateID string, components ...string) {
	t.Helper()
	if len(components) == 0 {
		components = []string{"CLERC-1", "CLERC-2", "CLERC-3", "CLERC-4"}
	}
	for i, c := range components {
		d := candidates.Decision{ID: database.NewID(), CandidateID: candidateID, Certification: clerc, Component: c,
			Outcome: candidates.Validated, DecidedOn: civil.New(2018, 5, 1+i), Final: true, CreatedBy: "jury-test"}
		if err := w.env.App.DB.Create(&d).Error; err != nil {
			t.Fatal(err)
		}
	}
}

func (w world) issue(t *testing.T, candidateID string) certificates.Document {
	t.Helper()
	var d certificates.Document
	w.env.Do(t, "POST", "/api/v1/candidates/"+candidateID+"/certificates", w.admin, map[string]string{"certification": clerc}).
		Expect(t, http.StatusCreated).JSON(t, &d)
	return d
}

func (w world) person(t *testing.T, pathway string, id candidates.Identity, names ...string) candidates.Candidate {
	t.Helper()
	opts := []apptest.CandidateOpt{func(c *candidates.NewCandidate) { c.Identity = id; c.BirthDate = civil.New(1988, 2, 29) }}
	if len(names) == 2 {
		opts = append(opts, apptest.Names(names[0], names[1]))
	}
	c := w.env.Candidate(t, opts...)
	w.env.Enroll(t, c.ID, clerc, pathway)
	return c
}

func export(t *testing.T, env *apptest.Env, token, query string) (parsed, *apptest.Response) {
	t.Helper()
	res := env.Do(t, "GET", "/api/v1/exports/cdc-accrochage.xml"+query, token, nil).Expect(t, http.StatusOK)
	var p parsed
	if err := xml.Unmarshal(res.Body, &p); err != nil {
		t.Fatalf("flow: %v\n%s", err, res.Body)
	}
	return p, res
}

// A year of CQPs inside the RNCP registration (2016-06-07 to 2019-06-07):
// the flow holds exactly the certificates (not the partial attestations,
// not the revoked, not those outside the period) whose holders are
// complete, each with its holder's identity; the others wait « à
// compléter »; a second flow does not send them again.
func TestExport_TheHoldersOfThePeriodWithTheirIdentity(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	w := world{env, admin}
	env.Clock.Set(time.Date(2018, 6, 1, 9, 0, 0, 0, time.UTC))

	paris := w.person(t, "formation_continue", candidates.Identity{Sex: "F", BirthName: "Dupont", BirthPlace: "Paris 12e",
		BirthPlaceINSEE: "75112", BirthCountry: "FR"}, "Hélène", "Martin-Dupont")
	madrid := w.person(t, "vae", candidates.Identity{Sex: "M", BirthName: "García Pérez", BirthPlace: "Madrid",
		BirthPlaceINSEE: "99134", BirthCountry: "ES"}, "José", "García Pérez")
	postal := w.person(t, "contrat_professionnalisation", candidates.Identity{Sex: "F", BirthName: "Nguyễn",
		BirthPostalCode: "69003", BirthCountry: "FR"}, "Thị Lan", "Nguyễn")
	incomplete := w.person(t, "formation_continue", candidates.Identity{BirthName: "Kowalska"}, "Zofia", "Kowalska")
	partial := w.person(t, "formation_continue", candidates.Identity{Sex: "M", BirthName: "Petit", BirthPlaceINSEE: "2A004", BirthCountry: "FR"})
	revoked := w.person(t, "formation_continue", candidates.Identity{Sex: "M", BirthName: "Leroy", BirthPlaceINSEE: "59350", BirthCountry: "FR"})
	for _, c := range []candidates.Candidate{paris, madrid, postal, incomplete, revoked} {
		w.acquire(t, c.ID)
	}
	w.acquire(t, partial.ID, "CLERC-1", "CLERC-2")
	docs := map[string]certificates.Document{}
	for name, c := range map[string]candidates.Candidate{"paris": paris, "madrid": madrid, "postal": postal,
		"incomplete": incomplete, "partial": partial, "revoked": revoked} {
		docs[name] = w.issue(t, c.ID)
	}
	env.Do(t, "POST", "/api/v1/certificates/"+docs["revoked"].Number+"/revoke", admin, map[string]string{"reason": "Erreur de jury"}).
		Expect(t, http.StatusOK)
	// Issued the next month: outside the period asked for below.
	env.Clock.Set(time.Date(2018, 7, 2, 9, 0, 0, 0, time.UTC))
	later := w.person(t, "formation_continue", candidates.Identity{Sex: "F", BirthName: "Roux", BirthPlaceINSEE: "13055", BirthCountry: "FR"})
	w.acquire(t, later.ID)
	docs["later"] = w.issue(t, later.ID)

	// No identifiers yet: the flow cannot be written.
	res := env.Do(t, "GET", "/api/v1/exports/cdc-accrochage.xml", admin, nil).Expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(string(res.Body), "settings_missing") {
		t.Errorf("without settings: %s", res.Body)
	}
	res = env.Do(t, "PUT", "/api/v1/accrochage/settings", admin, map[string]string{"id_client": "abc", "id_contrat": "MCF-1"}).
		Expect(t, http.StatusUnprocessableEntity)
	for _, f := range []string{`"id_client"`, `"id_contrat"`} {
		if !strings.Contains(string(res.Body), f) {
			t.Errorf("settings refusal names %s: %s", f, res.Body)
		}
	}
	env.Do(t, "PUT", "/api/v1/accrochage/settings", admin, map[string]string{"id_client": "ancr2018", "id_contrat": "MCFCER000123"}).
		Expect(t, http.StatusOK)

	flow, res := export(t, env, admin, "?from=2018-06-01&to=2018-06-30")
	if res.Header.Get("X-CQP-Left-Out") != "1" || res.Header.Get("X-CQP-Flow-Id") != flow.ID || flow.ID == "" {
		t.Errorf("headers %v, flow id %q", res.Header, flow.ID)
	}
	if flow.Client != "ANCR2018" || len(flow.Certificateurs) != 1 || flow.Certificateurs[0].Contract != "MCFCER000123" {
		t.Fatalf("emitter %+v", flow)
	}
	if _, err := time.Parse(time.RFC3339, flow.At); err != nil || !strings.HasSuffix(flow.At, "+02:00") {
		t.Errorf("horodatage %q (Paris summer time expected): %v", flow.At, err)
	}
	certs := flow.Certificateurs[0].Certifications
	if len(certs) != 1 || certs[0].Type != "RNCP" || certs[0].Code != "RNCP26291" {
		t.Fatalf("certifications %+v", certs)
	}
	got := map[string]passage{}
	for _, p := range certs[0].Passages {
		got[p.ID] = p
	}
	want := []string{docs["madrid"].Number, docs["paris"].Number, docs["postal"].Number}
	var ids []string
	for id := range got {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	sort.Strings(want)
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("passages %v, want %v", ids, want)
	}
	p := got[docs["paris"].Number]
	if p.Obtention != "PAR_ADMISSION" || p.From != "2018-05-04" || p.Access != "FORMATION_CONTINUE_HORS_VAE" ||
		p.Holder.BirthName != "Dupont" || p.Holder.UsageName.Text != "Martin-Dupont" || p.Holder.FirstName != "Hélène" ||
		p.Holder.Year != "1988" || p.Holder.Month != "02" || p.Holder.Day != "29" || p.Holder.Sex != "F" ||
		p.Holder.INSEE != "75112" || p.Holder.Postal != "" {
		t.Errorf("Paris holder %+v", p)
	}
	m := got[docs["madrid"].Number]
	if m.Access != "VAE" || m.Holder.INSEE != "99134" || m.Holder.UsageName.Nil != "true" || m.Holder.Sex != "M" {
		t.Errorf("Madrid holder %+v", m)
	}
	if q := got[docs["postal"].Number]; q.Access != "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION" ||
		q.Holder.Postal != "69003" || q.Holder.INSEE != "" || q.Holder.BirthName != "Nguyễn" {
		t.Errorf("postal-code holder %+v", q)
	}

	// The page: sent with their flow, the incomplete one to complete, the
	// later one still to send; the partial attestation and the revoked
	// certificate nowhere.
	var o accrochage.Overview
	env.Do(t, "GET", "/api/v1/accrochage", admin, nil).Expect(t, http.StatusOK).JSON(t, &o)
	sent := map[string]accrochage.Entry{}
	for _, e := range o.Sent {
		sent[e.Number] = e
	}
	toSend := map[string]accrochage.Entry{}
	for _, e := range o.ToSend {
		toSend[e.Number] = e
	}
	if len(sent) != 3 || sent[docs["paris"].Number].FlowID != flow.ID || sent[docs["paris"].Number].SentAt == nil {
		t.Errorf("sent %+v", o.Sent)
	}
	inc := toSend[docs["incomplete"].Number]
	if len(toSend) != 2 || strings.Join(inc.Missing, ",") != "sex,birth_place_insee" || toSend[docs["later"].Number].Number == "" {
		t.Errorf("to send %+v", o.ToSend)
	}
	if inc.DueOn != civil.New(2018, 9, 1) {
		t.Errorf("due on %v, want three months after issuance", inc.DueOn)
	}
	for _, n := range []string{docs["partial"].Number, docs["revoked"].Number} {
		if _, ok := sent[n]; ok {
			t.Errorf("%s sent", n)
		}
		if _, ok := toSend[n]; ok {
			t.Errorf("%s to send", n)
		}
	}

	// Completed, the holder goes in the next flow of the same period, alone.
	env.Do(t, "PATCH", "/api/v1/candidates/"+incomplete.ID, admin, map[string]string{"sex": "F", "birth_place_insee": "99122",
		"birth_country": "PL"}).Expect(t, http.StatusOK)
	again, res := export(t, env, admin, "?from=2018-06-01&to=2018-06-30")
	if again.ID == flow.ID || res.Header.Get("X-CQP-Left-Out") != "0" {
		t.Errorf("second flow %q, left out %s", again.ID, res.Header.Get("X-CQP-Left-Out"))
	}
	if ps := again.Certificateurs[0].Certifications; len(ps) != 1 || len(ps[0].Passages) != 4 {
		// A period exported again declares its holders again (the Caisse
		// des Dépôts takes a holder once by idTechnique), now with Zofia.
		t.Errorf("second flow passages %+v", ps)
	}
	env.Do(t, "GET", "/api/v1/accrochage", admin, nil).Expect(t, http.StatusOK).JSON(t, &o)
	if len(o.Flows) != 2 || o.Flows[0].ID != again.ID || o.Flows[0].Passages != 4 {
		t.Errorf("flows %+v", o.Flows)
	}

	// A period with nothing: an empty flow, still a flow.
	empty, _ := export(t, env, admin, "?from=2017-01-01&to=2017-12-31")
	if len(empty.Certificateurs) != 1 || len(empty.Certificateurs[0].Certifications) != 0 {
		t.Errorf("empty flow %+v", empty)
	}
	env.Do(t, "GET", "/api/v1/exports/cdc-accrochage.xml?from=2018-13-01", admin, nil).Expect(t, http.StatusUnprocessableEntity)
	env.Do(t, "GET", "/api/v1/exports/cdc-accrochage.xml?from=2018-07-01&to=2018-06-01", admin, nil).Expect(t, http.StatusUnprocessableEntity)

	// Only administrators.
	_, trainer := env.User(t, auth.RoleTrainer)
	for _, path := range []string{"/api/v1/exports/cdc-accrochage.xml", "/api/v1/accrochage", "/api/v1/exports/cdc-accrochage.xsd"} {
		env.Do(t, "GET", path, trainer, nil).Expect(t, http.StatusForbidden)
	}
	// Every flow is in the journal, with the certificates, not the people.
	var n int64
	env.App.DB.Table("audit_entries").Where("action = ?", "export.accrochage").Count(&n)
	if n != 3 {
		t.Errorf("%d flows journaled, want 3", n)
	}
}

// Two and a half months after issuance, a certificate not yet declared is
// listed to the administrators (the deadline is three months): the day
// before, nothing; that day, the list; once declared, nothing again.
func TestDue_TwoAndAHalfMonthsAfterIssuance(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	w := world{env, admin}
	env.Clock.Set(time.Date(2018, 6, 1, 9, 0, 0, 0, time.UTC))
	c := w.person(t, "formation_continue", candidates.Identity{Sex: "F", BirthName: "Dupont", BirthPlaceINSEE: "75112", BirthCountry: "FR"})
	w.acquire(t, c.ID)
	doc := w.issue(t, c.ID)
	if got := accrochage.RemindOn(civil.New(2018, 6, 1)); got != civil.New(2018, 8, 16) {
		t.Fatalf("remind on %v", got)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		today string
		n     int
	}{{"2018-08-15", 0}, {"2018-08-16", 1}, {"2018-09-02", 1}} {
		due, err := env.App.Accrochage.Due(ctx, civil.MustParse(tc.today))
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != tc.n || (tc.n == 1 && due[0].Number != doc.Number) {
			t.Errorf("%s: due %+v, want %d", tc.today, due, tc.n)
		}
	}
	// The daily reminders tell the administrators once.
	env.Clock.Set(time.Date(2018, 8, 16, 8, 0, 0, 0, time.UTC))
	for range 2 {
		if _, err := env.App.SendReminders(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var msgs []messages.Message
	env.App.DB.Where("kind = ?", messages.KindAccrochageDue).Find(&msgs)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "1 certificat à déclarer") ||
		!strings.Contains(msgs[0].TextBody, doc.Number) || !strings.Contains(msgs[0].TextBody, "1er\u00a0septembre 2018") {
		t.Fatalf("reminders %+v", msgs)
	}
	env.Do(t, "PUT", "/api/v1/accrochage/settings", admin, map[string]string{"id_client": "ANCR2018", "id_contrat": "MCF1"}).Expect(t, 200)
	export(t, env, admin, "")
	if due, _ := env.App.Accrochage.Due(ctx, civil.New(2018, 8, 20)); len(due) != 0 {
		t.Errorf("declared, still due: %+v", due)
	}
}

// The identity fields are checked where they are entered: the INSEE code's
// form and its agreement with the country, the sex, the country code.
func TestIdentity_CheckedOnTheCandidateRecord(t *testing.T) {
	env := apptest.New(t)
	_, admin := env.User(t, auth.RoleAdmin)
	c := env.Candidate(t)
	for _, tc := range []struct {
		body  map[string]string
		field string
	}{
		{map[string]string{"birth_country": "FR", "birth_place_insee": "99134"}, "birth_place_insee"},
		{map[string]string{"birth_country": "ES", "birth_place_insee": "75112"}, "birth_place_insee"},
		{map[string]string{"birth_place_insee": "7511"}, "birth_place_insee"},
		{map[string]string{"birth_place_insee": "2C004"}, "birth_place_insee"},
		{map[string]string{"sex": "X"}, "sex"},
		{map[string]string{"birth_country": "XX"}, "birth_country"},
		{map[string]string{"birth_postal_code": "7500"}, "birth_postal_code"},
		{map[string]string{"birth_name": "D😀"}, "birth_name"},
	} {
		res := env.Do(t, "PATCH", "/api/v1/candidates/"+c.ID, admin, tc.body).Expect(t, http.StatusUnprocessableEntity)
		if !strings.Contains(string(res.Body), `"`+tc.field+`"`) {
			t.Errorf("%v: %s", tc.body, res.Body)
		}
	}
	var got candidates.Candidate
	env.Do(t, "PATCH", "/api/v1/candidates/"+c.ID, admin, map[string]string{"sex": "f", "birth_place_insee": "2a004",
		"birth_country": "fr", "birth_name": " Petit "}).Expect(t, http.StatusOK).JSON(t, &got)
	if got.Sex != "F" || got.BirthPlaceINSEE != "2A004" || got.BirthCountry != "FR" || got.BirthName != "Petit" {
		t.Errorf("cleaned %+v", got.Identity)
	}
	// Pseudonymisation erases them.
	env.Do(t, "POST", "/api/v1/candidates/"+c.ID+"/pseudonymise", admin, nil).Expect(t, http.StatusOK)
	var after candidates.Candidate
	env.App.DB.Where("id = ?", c.ID).Take(&after)
	if after.Identity != (candidates.Identity{}) {
		t.Errorf("pseudonymised identity %+v", after.Identity)
	}
}
