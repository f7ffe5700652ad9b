package app

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"github.com/ancr/cqp/internal/candidates"
	"github.com/ancr/cqp/internal/civil"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// The people of the demo year: names as a French collection branch meets
// them (accents, compound first names, particles and compound last names,
// families from the Maghreb, Portugal, West Africa, Asia and Eastern
// Europe), employers among a few dozen collection firms, and the three
// training organisations.

var demoFemale = []string{"Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Émilie", "Julie", "Anaïs", "Océane",
	"Mélanie", "Nathalie", "Sandrine", "Sophie", "Aurélie", "Céline", "Hélène", "Maëlle", "Zoé", "Clémence",
	"Marie-Claire", "Anne-Sophie", "Marie-Hélène", "Bérénice", "Noémie", "Laëtitia", "Gaëlle", "Fatima", "Yasmina",
	"Aïcha", "Mariana", "Ana", "Aminata", "Fatoumata", "Priscilla", "Agnès", "Joëlle", "Françoise", "Ophélie", "Margaux"}

var demoMale = []string{"Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Hugo", "Théo", "Lucas", "Benoît", "Jérôme",
	"Sébastien", "Frédéric", "Stéphane", "Grégory", "Cédric", "Loïc", "Gaëtan", "Raphaël", "Noël", "Joël",
	"Jean-Baptiste", "Pierre-Louis", "Jean-François", "Marc-Antoine", "François", "Rémi", "Mehdi", "Karim", "Yacine",
	"Youssef", "João", "Rui", "Mamadou", "Ousmane", "Kévin", "Aurélien", "Mickaël", "Valentin", "Damien", "Florent"}

var demoLast = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
	"Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
	"Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
	"Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
	"Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez",
	"Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche",
	"Le Goff", "Le Gall", "Le Bihan", "de La Fontaine", "de Saint-Exupéry", "du Pré", "d'Almeida", "Lefèvre-Utile",
	"Saint-Martin", "Bouvier-Lacroix", "Benali", "Haddad", "Belkacem", "Cherif", "Mansouri", "Ferreira",
	"Fernandes", "Gonçalves", "Rodrigues", "Diallo", "Traoré", "Ndiaye", "Camara", "Koné", "Châtelain",
	"Bénard", "Lécuyer", "Pétrel", "Thévenin", "Œuvray", "Brémond", "Côté", "Kowalczyk", "Yılmaz", "Da Silva"}

// demoEmployers are the collection firms (and a few creditors collecting
// their own debts) the candidates work for.
var demoEmployers = []string{"Cabinet Recouvrement Atlantique", "Créances Services Lyon", "Recouvrement Méditerranée",
	"Cabinet Dupré Recouvrement", "Groupe Créances du Nord", "Recouvrement de l'Ouest", "Alsace Créances",
	"Cabinet Morvan & Associés", "Bretagne Recouvrement", "Provence Gestion de Créances", "Rhône-Alpes Contentieux",
	"Normandie Recouvrement Amiable", "Cabinet Lefort Créances", "Occitanie Recouvrement", "Centre Val de Loire Créances",
	"Aquitaine Recouvrement", "Île-de-France Créances", "Cabinet Saint-Honoré", "Lorraine Recouvrement",
	"Bourgogne Créances Services", "Auvergne Recouvrement", "Picardie Gestion", "Cabinet Vauban Recouvrement",
	"Pays de la Loire Créances", "Champagne Recouvrement", "Savoie Créances", "Corse Recouvrement",
	"Réunion Créances Services", "Cabinet Lamartine", "Franche-Comté Recouvrement", "Intrum Justitia France (démo)",
	"Crédit du Littoral — service recouvrement"}

// demoOrganisations are the three training organisations.
var demoOrganisations = []string{"Institut de formation du recouvrement", "Centre de formation ANCR",
	"Académie des métiers du recouvrement"}

// demoBirthPlaces are communes with their INSEE codes, and two births abroad.
var demoBirthPlaces = []struct{ Place, INSEE, Country string }{
	{"Paris", "75056", "FR"}, {"Lyon", "69123", "FR"}, {"Marseille", "13055", "FR"}, {"Nantes", "44109", "FR"},
	{"Lille", "59350", "FR"}, {"Toulouse", "31555", "FR"}, {"Bordeaux", "33063", "FR"}, {"Rennes", "35238", "FR"},
	{"Strasbourg", "67482", "FR"}, {"Ajaccio", "2A004", "FR"}, {"Saint-Étienne", "42218", "FR"}, {"Brest", "29019", "FR"},
	{"Lisbonne", "99139", "PT"}, {"Casablanca", "99350", "MA"},
}

// person is a generated candidate.
type person struct {
	candidates.NewCandidate
	female bool
}

// asciiFold turns "Lefèvre-Utile" into "lefevre-utile" for an address.
func asciiFold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, s)
	out = strings.NewReplacer("œ", "oe", "Œ", "oe", "ł", "l", "Ł", "l", "ı", "i", "'", "", " ", "").Replace(out)
	return strings.ToLower(out)
}

// people draws n candidates; emails are unique (numbered when two people
// share a name) and avoid the named demo persons' addresses.
func people(rng *rand.Rand, n int, today civil.Date, taken map[string]bool) []person {
	out := make([]person, 0, n)
	for len(out) < n {
		female := rng.IntN(2) == 0
		first := demoMale[rng.IntN(len(demoMale))]
		if female {
			first = demoFemale[rng.IntN(len(demoFemale))]
		}
		last := demoLast[rng.IntN(len(demoLast))]
		email := asciiFold(first) + "." + asciiFold(last) + "@example.fr"
		for i := 2; taken[email]; i++ {
			email = fmt.Sprintf("%s.%s%d@example.fr", asciiFold(first), asciiFold(last), i)
		}
		taken[email] = true
		age := 20 + rng.IntN(36)
		birth := civil.New(today.Year-age, time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
		p := person{female: female, NewCandidate: candidates.NewCandidate{FirstName: first, LastName: last, BirthDate: birth,
			Email: email, Employer: demoEmployers[rng.IntN(len(demoEmployers))]}}
		// Two in three give their full civil status (the SI CPF needs it);
		// the others are listed « à compléter » when they are certified.
		if rng.IntN(3) > 0 {
			bp := demoBirthPlaces[rng.IntN(len(demoBirthPlaces))]
			p.Sex, p.BirthName, p.BirthPlace, p.BirthPlaceINSEE, p.BirthCountry = "M", last, bp.Place, bp.INSEE, bp.Country
			if female {
				p.Sex = "F"
			}
		}
		out = append(out, p)
	}
	return out
}
