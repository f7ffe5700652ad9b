package webui

import (
	"fmt"
	"strings"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/money"
)

// messages is the catalogue of the interface's recurring strings, French
// first. One-off sentences of a single page are written in the template as a
// French/English pair ({{.L "…" "…"}}), next to where they are shown.
var messages = map[string][2]string{
	"app.name":    {"CQP Recouvrement", "CQP Recouvrement"},
	"app.skip":    {"Aller au contenu", "Skip to content"},
	"app.footer":  {"Certificats de qualification professionnelle du recouvrement — branche IDCC 2098, certificateur ANCR.", "Professional qualification certificates in debt collection — branch IDCC 2098, certifier ANCR."},
	"lang.switch": {"English", "Français"},
	"lang.label":  {"Langue", "Language"},

	"nav.main":         {"Navigation principale", "Main navigation"},
	"nav.home":         {"Exercices", "Exercises"},
	"nav.dashboard":    {"Tableau de bord", "Dashboard"},
	"nav.candidates":   {"Candidats", "Candidates"},
	"nav.juries":       {"Jurys", "Juries"},
	"nav.vae":          {"VAE", "VAE"},
	"nav.vae_admin":    {"Recevabilité VAE", "VAE admissibility"},
	"nav.certificates": {"Certificats", "Certificates"},
	"nav.audit":        {"Journal", "Audit log"},
	"nav.users":        {"Comptes", "Accounts"},
	"nav.sessions":     {"Mes sessions", "My sessions"},
	"nav.catalogue":    {"Exercices", "Exercises"},
	"nav.progress":     {"Ma progression", "My progress"},
	"nav.dossier":      {"Mon dossier VAE", "My VAE dossier"},
	"nav.supported":    {"Candidats accompagnés", "Supported candidates"},
	"nav.mycerts":      {"Mes documents", "My documents"},
	"nav.attempts":     {"Copies à corriger", "Attempts to review"},

	"auth.signin":       {"Se connecter", "Sign in"},
	"auth.signout":      {"Se déconnecter", "Sign out"},
	"auth.email":        {"Adresse électronique", "Email address"},
	"auth.password":     {"Mot de passe", "Password"},
	"auth.title":        {"Connexion", "Sign in"},
	"auth.intro":        {"Accédez à vos exercices, à vos sessions de jury ou à l'administration des certifications.", "Reach your exercises, your jury sessions or the certification administration."},
	"auth.signedout":    {"Vous êtes déconnecté.", "You are signed out."},
	"auth.signedin_as":  {"Connecté en tant que", "Signed in as"},
	"auth.required":     {"Connectez-vous pour continuer.", "Sign in to continue."},
	"auth.session_over": {"Votre session a expiré : reconnectez-vous.", "Your session has expired: sign in again."},

	"role.admin":     {"Administrateur", "Administrator"},
	"role.trainer":   {"Formateur", "Trainer"},
	"role.jury":      {"Membre de jury", "Jury member"},
	"role.candidate": {"Candidat", "Candidate"},
	"role.support":   {"Accompagnateur VAE", "VAE support person"},
	"role.system":    {"Plateforme (application de la loi)", "Platform (the law applied)"},

	"action.save":     {"Enregistrer", "Save"},
	"action.create":   {"Créer", "Create"},
	"action.search":   {"Rechercher", "Search"},
	"action.cancel":   {"Annuler", "Cancel"},
	"action.back":     {"Retour", "Back"},
	"action.open":     {"Ouvrir", "Open"},
	"action.next":     {"Suivant", "Next"},
	"action.submit":   {"Rendre la copie", "Submit"},
	"action.download": {"Télécharger", "Download"},
	"action.filter":   {"Filtrer", "Filter"},
	"action.more":     {"Voir la suite", "Show more"},
	"action.start":    {"Commencer", "Start"},
	"action.resume":   {"Reprendre", "Resume"},
	"action.sign":     {"Signer le procès-verbal", "Sign the minutes"},
	"action.issue":    {"Délivrer", "Issue"},
	"action.revoke":   {"Révoquer", "Revoke"},
	"action.upload":   {"Déposer", "Upload"},
	"action.add":      {"Ajouter", "Add"},
	"action.import":   {"Importer", "Import"},

	"form.required":  {"obligatoire", "required"},
	"form.invalid":   {"Le formulaire contient des erreurs : corrigez les champs signalés.", "The form has errors: correct the fields shown."},
	"form.saved":     {"Enregistré.", "Saved."},
	"form.saved_at":  {"Enregistré à %s", "Saved at %s"},
	"form.not_saved": {"Non enregistré : %s", "Not saved: %s"},
	"form.choose":    {"— Choisir —", "— Choose —"},
	"form.optional":  {"facultatif", "optional"},
	"form.yes":       {"Oui", "Yes"},
	"form.no":        {"Non", "No"},

	"cand.first_name": {"Prénom", "First name"},
	"cand.last_name":  {"Nom", "Last name"},
	"cand.birth_date": {"Date de naissance", "Birth date"},
	"cand.email":      {"Adresse électronique", "Email"},
	// The civil status fields the SI CPF declaration needs (accrochage.Holder.Missing).
	"identity.sex":               {"sexe", "sex"},
	"identity.birth_name":        {"nom de naissance", "birth name"},
	"identity.first_name":        {"prénom", "first name"},
	"identity.birth_date":        {"date de naissance", "birth date"},
	"identity.birth_place_insee": {"code INSEE ou code postal du lieu de naissance", "INSEE or postal code of the place of birth"},
	"identity.pathway":           {"voie d'accès (inscription)", "pathway (enrollment)"},
	"identity.pseudonymised":     {"dossier pseudonymisé", "pseudonymised record"},
	"cand.employer":              {"Employeur", "Employer"},
	"cand.training_org":          {"Organisme de formation", "Training organisation"},
	"cand.new":                   {"Nouveau candidat", "New candidate"},
	"cand.created":               {"Candidat enregistré.", "Candidate recorded."},
	"cand.none":                  {"Aucun candidat ne correspond.", "No candidate matches."},
	"cand.components":            {"Blocs de compétences", "Components"},
	"cand.enrollments":           {"Inscriptions", "Enrollments"},

	"pathway.formation_continue":           {"Formation continue", "Continuing training"},
	"pathway.contrat_professionnalisation": {"Contrat de professionnalisation", "Professionalisation contract"},
	"pathway.vae":                          {"VAE", "VAE (accreditation of prior experience)"},
	"pathway.formation_initiale":           {"Formation initiale", "Initial training"},
	"pathway.apprentissage":                {"Apprentissage", "Apprenticeship"},
	"pathway.candidature_individuelle":     {"Candidature individuelle", "Individual application"},

	"status.acquired":      {"Acquis", "Acquired"},
	"status.expired":       {"Expiré", "Expired"},
	"status.not_acquired":  {"Non acquis", "Not acquired"},
	"status.validated":     {"Validé", "Validated"},
	"status.not_validated": {"Non validé", "Not validated"},
	"status.valid":         {"Valide", "Valid"},
	"status.revoked":       {"Révoqué", "Revoked"},
	"status.passed":        {"Réussi", "Passed"},
	"status.failed":        {"Non réussi", "Not passed"},
	"status.pending":       {"En attente de correction", "Awaiting review"},
	"status.in_progress":   {"En cours", "In progress"},
	"status.submitted":     {"Rendu", "Submitted"},

	"enrollment.active":    {"En cours", "Active"},
	"enrollment.withdrawn": {"Abandon", "Withdrawn"},
	"enrollment.completed": {"Terminée", "Completed"},

	"kind.certificate":         {"Certificat", "Certificate"},
	"kind.partial_attestation": {"Attestation de validation partielle", "Attestation of partial validation"},

	"audit.title":        {"Journal d'audit", "Audit log"},
	"audit.seq":          {"N°", "No."},
	"audit.at":           {"Date", "When"},
	"audit.actor":        {"Auteur", "Actor"},
	"audit.action":       {"Action", "Action"},
	"audit.entity":       {"Objet", "Entity"},
	"audit.chain_ok":     {"Chaîne d'intégrité intacte : %d lignes vérifiées.", "Integrity chain intact: %d rows checked."},
	"audit.chain_broken": {"Chaîne d'intégrité ROMPUE à la ligne %d : %s", "Integrity chain BROKEN at row %d: %s"},

	"err.title.400": {"Requête invalide", "Bad request"},
	"err.title.401": {"Connexion requise", "Sign-in required"},
	"err.title.403": {"Accès refusé", "Access denied"},
	"err.title.404": {"Page introuvable", "Page not found"},
	"err.title.405": {"Méthode non autorisée", "Method not allowed"},
	"err.title.409": {"Conflit", "Conflict"},
	"err.title.413": {"Fichier trop volumineux", "File too large"},
	"err.title.422": {"Règle non respectée", "Rule not met"},
	"err.title.429": {"Trop de tentatives", "Too many attempts"},
	"err.title.500": {"Erreur interne", "Internal error"},
	"err.title.503": {"Service indisponible", "Service unavailable"},
	"err.404":       {"Cette page n'existe pas ou n'est plus disponible.", "This page does not exist or is no longer available."},
	"err.403":       {"Votre rôle ne permet pas d'ouvrir cette page.", "Your role does not allow you to open this page."},
	"err.csrf":      {"Le formulaire a expiré ou ne provient pas de ce site. Rechargez la page et recommencez.", "The form has expired or does not come from this site. Reload the page and try again."},
	"err.home":      {"Retour à l'accueil", "Back to the home page"},
	"err.500":       {"Une erreur interne est survenue ; elle a été consignée.", "An internal error occurred; it has been logged."},
}

// translate returns the catalogue entry in lang, formatted with args; an
// unknown key shows itself, so that a missing entry is seen, not hidden.
func translate(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == "en" {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

var (
	shortFR = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
	shortEN = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// formatDate writes a civil date as readers expect it: "1er mars 2026",
// "22 novembre 2026"; "March 1, 2026" in English.
func formatDate(lang string, d civil.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.Long(lang)
}

// monthLabel is a chart axis label: "nov. 2026".
func monthLabel(lang string, y int, m time.Month) string {
	if lang == "en" {
		return fmt.Sprintf("%s %d", shortEN[m-1], y)
	}
	return fmt.Sprintf("%s %d", shortFR[m-1], y)
}

// formatInstant shows an instant in Paris time, where the users are.
func formatInstant(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	lt := t.In(civil.Paris)
	d := civil.Of(lt)
	if lang == "en" {
		return formatDate(lang, d) + lt.Format(" 15:04")
	}
	return formatDate(lang, d) + lt.Format(" à 15:04")
}

// formatMoney is 1 234,56 € in French, €1,234.56 in English.
func formatMoney(lang string, c money.Cents) string {
	if lang == "en" {
		neg := c < 0
		if neg {
			c = -c
		}
		s := fmt.Sprintf("%d.%02d", int64(c)/100, int64(c)%100)
		ip, fp, _ := strings.Cut(s, ".")
		var b strings.Builder
		for i, r := range ip {
			if i > 0 && (len(ip)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(r)
		}
		out := "€" + b.String() + "." + fp
		if neg {
			out = "-" + out
		}
		return out
	}
	return c.French()
}

// formatNumber prints a score: 7, 7,5 or 7.5.
func formatNumber(lang string, x float64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".")
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
