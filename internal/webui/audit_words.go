package webui

import "strings"

// auditVerbs says each journal action in words, French then English: the
// page reads "Hélène Martin a délivré le document …" rather than
// "certificate.issue". An action missing here shows its code.
var auditVerbs = map[string][2]string{
	"accrochage.settings":            {"a enregistré les identifiants SI CPF", "saved the SI CPF identifiers"},
	"export.accrochage":              {"a produit un flux SI CPF", "wrote an SI CPF flow"},
	"candidate.create":               {"a enregistré le candidat", "recorded the candidate"},
	"candidate.import":               {"a importé des candidats", "imported candidates"},
	"candidate.pseudonymise":         {"a pseudonymisé le candidat", "pseudonymised the candidate"},
	"candidate.update":               {"a modifié le dossier du candidat", "changed the candidate's record"},
	"certificate.issue":              {"a délivré le document", "issued the document"},
	"certificate.revoke":             {"a révoqué le document", "revoked the document"},
	"certification.registration.add": {"a ajouté une période d'enregistrement", "added a registration period"},
	"cohort.create":                  {"a créé la promotion", "created the cohort"},
	"cohort.update":                  {"a modifié la promotion", "changed the cohort"},
	"cohort.member.add":              {"a ajouté un stagiaire à la promotion", "added a trainee to the cohort"},
	"cohort.member.remove":           {"a retiré un stagiaire de la promotion", "removed a trainee from the cohort"},
	"cohort.trainer.add":             {"a ajouté un formateur à la promotion", "added a trainer to the cohort"},
	"cohort.trainer.remove":          {"a retiré un formateur de la promotion", "removed a trainer from the cohort"},
	"enrollment.create":              {"a inscrit le candidat", "enrolled the candidate"},
	"enrollment.completed":           {"a clos l'inscription (formation achevée)", "closed the enrollment (training completed)"},
	"enrollment.withdrawn":           {"a enregistré l'abandon", "recorded the withdrawal"},
	"jury.create":                    {"a constitué le jury", "set up the jury"},
	"jury.update":                    {"a modifié le jury", "changed the jury"},
	"jury.candidate.assign":          {"a affecté un candidat au jury", "assigned a candidate to the jury"},
	"jury.candidate.notify":          {"a convoqué les candidats", "convened the candidates"},
	"jury.conflict.declare":          {"a déclaré un conflit d'intérêts", "declared a conflict of interest"},
	"jury.decision.correct":          {"a rectifié une décision", "corrected a decision"},
	"jury.deliberate":                {"a enregistré la délibération", "recorded the deliberation"},
	"jury.deliberation.open":         {"a ouvert la délibération", "opened the deliberation"},
	"jury.evaluate":                  {"a noté un bloc", "scored a component"},
	"jury.member.put":                {"a nommé un membre du jury", "appointed a jury member"},
	"jury.member.qualify":            {"a habilité un membre du jury", "qualified a jury member"},
	"jury.member.remove":             {"a retiré un membre du jury", "removed a jury member"},
	"jury.minutes.sign":              {"a signé le procès-verbal", "signed the minutes"},
	"message.deliver":                {"a remis un message", "delivered a message"},
	"message.resend":                 {"a renvoyé un message", "resent a message"},
	"parameter.add":                  {"a ajouté une valeur de paramètre du droit", "added a law parameter value"},
	"training.attempt.start":         {"a commencé une mise en situation", "started a scenario"},
	"training.attempt.save":          {"a enregistré ses réponses", "saved answers"},
	"training.attempt.submit":        {"a rendu sa copie", "handed a copy in"},
	"training.attempt.review":        {"a corrigé une copie", "reviewed a copy"},
	"user.activate":                  {"a activé son compte", "activated their account"},
	"user.create":                    {"a créé le compte", "created the account"},
	"user.invite":                    {"a invité", "invited"},
	"user.logout_all":                {"a fermé toutes les sessions", "closed every session"},
	"user.password":                  {"a changé son mot de passe", "changed their password"},
	"user.pseudonymise":              {"a pseudonymisé le compte", "pseudonymised the account"},
	"user.recovery_code":             {"a utilisé un code de secours", "used a recovery code"},
	"user.reset":                     {"a réinitialisé son mot de passe", "reset their password"},
	"user.reset_request":             {"a demandé un nouveau mot de passe", "asked for a new password"},
	"user.totp_off":                  {"a désactivé la double authentification", "turned two-factor authentication off"},
	"user.totp_on":                   {"a activé la double authentification", "turned two-factor authentication on"},
	"user.unlock":                    {"a levé le blocage des connexions", "lifted the sign-in delay"},
	"user.update":                    {"a modifié le compte", "changed the account"},
	"vae.request":                    {"a déposé une demande de VAE", "filed a VAE request"},
	"vae.admissibility.admissible":   {"a déclaré la demande de VAE recevable", "declared the VAE request admissible"},
	"vae.admissibility.inadmissible": {"a déclaré la demande de VAE irrecevable", "declared the VAE request inadmissible"},
	"vae.admissibility.implicit":     {"a constaté la recevabilité implicite (silence de deux mois)", "recorded implicit admissibility (two months' silence)"},
	"vae.comment":                    {"a commenté le dossier VAE", "commented on the VAE dossier"},
	"vae.complete":                   {"a déclaré la demande de VAE complète", "declared the VAE request complete"},
	"vae.document.add":               {"a ajouté un document au dossier VAE", "added a document to the VAE dossier"},
	"vae.document.delete":            {"a retiré un document du dossier VAE", "removed a document from the VAE dossier"},
	"vae.experience.add":             {"a ajouté une expérience au dossier VAE", "added an experience to the VAE dossier"},
	"vae.experience.update":          {"a modifié une expérience du dossier VAE", "changed an experience of the VAE dossier"},
	"vae.experience.delete":          {"a retiré une expérience du dossier VAE", "removed an experience from the VAE dossier"},
	"vae.jury":                       {"a remis le dossier VAE au jury", "handed the VAE dossier to the jury"},
	"vae.lock":                       {"a verrouillé le dossier VAE", "locked the VAE dossier"},
	"vae.missing_pieces":             {"a demandé des pièces manquantes", "asked for missing pieces"},
	"vae.pseudonymise":               {"a pseudonymisé le dossier VAE", "pseudonymised the VAE dossier"},
	"vae.submit":                     {"a déposé le dossier VAE", "submitted the VAE dossier"},
	"vae.support.opinion":            {"a donné son avis d'accompagnateur", "gave a support opinion"},
	"vae.support.remove":             {"a retiré l'accompagnateur", "removed the support person"},
	"vae.support.set":                {"a désigné l'accompagnateur", "named the support person"},
}

// auditVerb is an action in words; exports of a dataset and unknown
// actions fall back on their code.
func auditVerb(lang, action string) string {
	i := 0
	if lang == "en" {
		i = 1
	}
	if v, ok := auditVerbs[action]; ok {
		return v[i]
	}
	if ds, ok := strings.CutPrefix(action, "export."); ok {
		return [2]string{"a exporté « " + ds + " »", "exported “" + ds + "”"}[i]
	}
	return action
}

// auditEntities names the kinds of record, French then English.
var auditEntities = map[string][2]string{
	"candidate": {"candidat", "candidate"}, "user": {"compte", "account"}, "certificate": {"document", "document"},
	"jury": {"jury", "jury"}, "vae_dossier": {"dossier VAE", "VAE dossier"}, "training_attempt": {"tentative", "attempt"},
	"cohort": {"promotion", "cohort"}, "enrollment": {"inscription", "enrollment"}, "export": {"export", "export"},
	"component_decision": {"décision", "decision"}, "accrochage_flow": {"flux SI CPF", "SI CPF flow"},
	"message": {"message", "message"}, "parameter": {"paramètre", "parameter"},
}

func auditEntity(lang, entity string) string {
	if v, ok := auditEntities[entity]; ok {
		if lang == "en" {
			return v[1]
		}
		return v[0]
	}
	return entity
}
