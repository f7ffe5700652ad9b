// Package accrochage sends the holders of the certifications to the Caisse
// des Dépôts (SI CPF "accrochage", décret n° 2019-1490): every RNCP
// certifier must, within three months of issuance, declare who obtained its
// certifications, so that the holders find them in their CPF account. This
// file is the pure part: the flow's XML and what a holder must have to be
// in it; service.go reads the certificates and keeps the flows sent.
package accrochage

import (
	"bufio"
	_ "embed"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
)

// Namespace is the flow's XML namespace.
const Namespace = "urn:cdc:cpf:pc5:schema:1.0.0"

// XSD is the schema the flows are written to (cdc-accrochage.xsd).
//
//go:embed cdc-accrochage.xsd
var XSD []byte

// Flow is one file sent to the Caisse des Dépôts.
type Flow struct {
	ID        string    // idFlux: unique per file
	At        time.Time // horodatage
	IDClient  string    // the certifier's client id at the Caisse des Dépôts
	IDContrat string    // the certifier's contract id
	// Certifications each list their holders; a flow with none is valid and
	// empty.
	Certifications []Certification
}

// Certification is one registered certification and its holders.
type Certification struct {
	Registry string // RNCP or RS
	Number   string // the registry number, digits only ("26291")
	Passages []Passage
}

// Passage is one holder who obtained the certification.
type Passage struct {
	ID        string     // idTechnique: the certificate's number
	ValidFrom civil.Date // the day the certification was obtained
	Access    string     // modaliteAcces, from the enrollment's pathway
	Holder    Holder
}

// Holder is the identity block of a holder.
type Holder struct {
	BirthName  string
	UsageName  string // empty: none
	FirstName  string
	BirthDate  civil.Date
	Sex        string // F or M
	INSEE      string // commune of birth, or 99xxx for a country
	PostalCode string // when the INSEE code is not known
}

// Access modes (modaliteAcces) by the enrollment's pathway.
var accessByPathway = map[string]string{
	"formation_continue":           "FORMATION_CONTINUE_HORS_VAE",
	"contrat_professionnalisation": "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION",
	"vae":                          "VAE",
}

// Access is the flow's access mode for a pathway; ok is false for a pathway
// the flow cannot name.
func Access(pathway string) (string, bool) {
	a, ok := accessByPathway[pathway]
	return a, ok
}

var (
	postalRE = regexp.MustCompile(`^[0-9]{5}$`)
	// IDClientRE and IDContratRE are the certifier's identifiers' forms.
	IDClientRE  = regexp.MustCompile(`^[A-Z0-9]{8}$`)
	IDContratRE = regexp.MustCompile(`^[A-Za-z0-9]{1,20}$`)
)

// ValidPostalCode tells whether code is a French postal code.
func ValidPostalCode(code string) bool { return postalRE.MatchString(code) }

// Missing names the fields (as the candidate's JSON names them) a holder
// lacks to be sent; an incomplete holder is never sent half-filled.
func (h Holder) Missing() []string {
	var out []string
	if strings.TrimSpace(h.BirthName) == "" {
		out = append(out, "birth_name")
	}
	if strings.TrimSpace(h.FirstName) == "" {
		out = append(out, "first_name")
	}
	if h.BirthDate.IsZero() || h.BirthDate.Year < 1900 || h.BirthDate.Year > 2099 {
		out = append(out, "birth_date")
	}
	if h.Sex != "F" && h.Sex != "M" {
		out = append(out, "sex")
	}
	if !candidates.ValidINSEE(h.INSEE) && !ValidPostalCode(h.PostalCode) {
		out = append(out, "birth_place_insee")
	}
	return out
}

// Write writes the flow's XML to w. The caller has checked every holder
// (Missing) and the certifier's identifiers.
func Write(w io.Writer, f Flow) error {
	x := &writer{w: bufio.NewWriterSize(w, 32<<10)}
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.raw(`<cpf:flux xmlns:cpf="` + Namespace + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` + "\n")
	x.elem(1, "idFlux", f.ID)
	x.elem(1, "horodatage", f.At.Format("2006-01-02T15:04:05-07:00"))
	x.open(1, "emetteur")
	x.elem(2, "idClient", f.IDClient)
	x.open(2, "certificateurs")
	x.open(3, "certificateur")
	x.elem(4, "idClient", f.IDClient)
	x.elem(4, "idContrat", f.IDContrat)
	if len(f.Certifications) > 0 {
		x.open(4, "certifications")
		for _, c := range f.Certifications {
			x.open(5, "certification")
			x.elem(6, "type", c.Registry)
			x.elem(6, "code", c.Registry+c.Number)
			x.open(6, "passageCertifications")
			for _, p := range c.Passages {
				x.passage(7, p)
			}
			x.close(6, "passageCertifications")
			x.close(5, "certification")
		}
		x.close(4, "certifications")
	}
	x.close(3, "certificateur")
	x.close(2, "certificateurs")
	x.close(1, "emetteur")
	x.raw("</cpf:flux>\n")
	if x.err != nil {
		return fmt.Errorf("accrochage flow: %w", x.err)
	}
	return x.w.Flush()
}

func (x *writer) passage(d int, p Passage) {
	h := p.Holder
	x.open(d, "passageCertification")
	x.elem(d+1, "idTechnique", p.ID)
	x.elem(d+1, "obtentionCertification", "PAR_ADMISSION")
	x.elem(d+1, "donneeCertifiee", "true")
	x.elem(d+1, "dateDebutValidite", p.ValidFrom.String())
	x.null(d+1, "dateFinValidite") // a CQP does not expire
	x.elem(d+1, "presenceNiveauLangueEuro", "false")
	x.elem(d+1, "presenceNiveauNumeriqueEuro", "false")
	x.null(d+1, "scoring")
	x.null(d+1, "mentionValidee")
	x.open(d+1, "modalitesInscription")
	x.elem(d+2, "modaliteAcces", p.Access)
	x.close(d+1, "modalitesInscription")
	x.open(d+1, "identificationTitulaire")
	x.open(d+2, "titulaire")
	x.elem(d+3, "nomNaissance", h.BirthName)
	if u := strings.TrimSpace(h.UsageName); u != "" && u != strings.TrimSpace(h.BirthName) {
		x.elem(d+3, "nomUsage", u)
	} else {
		x.null(d+3, "nomUsage")
	}
	x.elem(d+3, "prenom1", h.FirstName)
	x.elem(d+3, "anneeNaissance", strconv.Itoa(h.BirthDate.Year))
	x.elem(d+3, "moisNaissance", fmt.Sprintf("%02d", int(h.BirthDate.Month)))
	x.elem(d+3, "jourNaissance", fmt.Sprintf("%02d", h.BirthDate.Day))
	x.elem(d+3, "sexe", h.Sex)
	x.open(d+3, "codeCommuneNaissance")
	if candidates.ValidINSEE(h.INSEE) {
		x.open(d+4, "codeInseeNaissance")
		x.elem(d+5, "codeInsee", h.INSEE)
		x.close(d+4, "codeInseeNaissance")
	} else {
		x.open(d+4, "codePostalNaissance")
		x.elem(d+5, "codePostal", h.PostalCode)
		x.close(d+4, "codePostalNaissance")
	}
	x.close(d+3, "codeCommuneNaissance")
	x.close(d+2, "titulaire")
	x.close(d+1, "identificationTitulaire")
	x.close(d, "passageCertification")
}

// writer writes indented elements of the cpf namespace, keeping the first
// error.
type writer struct {
	w   *bufio.Writer
	err error
}

func (x *writer) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *writer) indent(d int) { x.raw(strings.Repeat("  ", d)) }

func (x *writer) open(d int, name string) {
	x.indent(d)
	x.raw("<cpf:" + name + ">\n")
}

func (x *writer) close(d int, name string) {
	x.indent(d)
	x.raw("</cpf:" + name + ">\n")
}

func (x *writer) elem(d int, name, text string) {
	x.indent(d)
	x.raw("<cpf:" + name + ">")
	if x.err == nil {
		x.err = xml.EscapeText(x.w, []byte(text))
	}
	x.raw("</cpf:" + name + ">\n")
}

func (x *writer) null(d int, name string) {
	x.indent(d)
	x.raw("<cpf:" + name + ` xsi:nil="true"/>` + "\n")
}
