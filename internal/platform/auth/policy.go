package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ancr/cqp/internal/platform/httpx"
	"github.com/trustelem/zxcvbn/frequency"
)

// MinPasswordLength is the contract's minimum, in characters.
const MinPasswordLength = 12

// commonPasswords is zxcvbn's list of the 30 000 most used passwords (from
// leaked password sets; github.com/trustelem/zxcvbn, the Go port of
// Dropbox's zxcvbn), plus the French keyboard and words it lacks, lower case.
var commonPasswords = func() map[string]bool {
	list := frequency.FrequencyLists["passwords"]
	set := make(map[string]bool, len(list)+len(frenchCommon))
	for _, p := range list {
		set[p] = true
	}
	for _, p := range frenchCommon {
		set[p] = true
	}
	return set
}()

// frenchCommon are what French users type that the English-language lists
// miss: the AZERTY rows and the words of this very platform. Short on
// purpose: the list above carries the weight.
var frenchCommon = []string{"azertyuiop", "azertyuiop123", "azerty123456", "qsdfghjklm", "wxcvbn", "motdepasse", "motdepasse123",
	"bonjour", "soleil", "doudou", "chouchou", "loulou", "marseille", "toulouse", "bordeaux", "recouvrement", "cqprecouvrement",
	"ancr", "clerc", "huissier", "creance", "creances"}

// CheckPasswordPolicy tells why a new password is refused, as a field error
// on field, or nil (CONTRACT "Accounts": at least 12 characters, not one
// repeated character, not a common password, no control characters).
func CheckPasswordPolicy(field, pw string) *httpx.Problem {
	refuse := func(fr, en string) *httpx.Problem { return httpx.Invalid(httpx.Field(field, fr, en)) }
	n := utf8.RuneCountInString(pw)
	if !utf8.ValidString(pw) {
		return refuse("Le mot de passe contient des caractères illisibles.", "The password holds unreadable characters.")
	}
	for _, r := range pw {
		if unicode.IsControl(r) {
			return refuse("Le mot de passe ne peut pas contenir de caractères de contrôle.", "The password may not hold control characters.")
		}
	}
	if n < MinPasswordLength {
		return refuse("Le mot de passe doit compter au moins 12 caractères.", "The password must be at least 12 characters long.")
	}
	if n > 256 {
		return refuse("Le mot de passe ne peut dépasser 256 caractères.", "The password may not exceed 256 characters.")
	}
	first, _ := utf8.DecodeRuneInString(pw)
	if strings.Trim(pw, string(first)) == "" {
		return refuse("Le mot de passe ne peut pas être un seul caractère répété.", "The password may not be one character repeated.")
	}
	if isCommon(pw) {
		return refuse("Ce mot de passe figure parmi les plus utilisés : choisissez-en un autre, par exemple une phrase de plusieurs mots.",
			"This password is among the most used ones: choose another, such as a sentence of several words.")
	}
	return nil
}

// isCommon tells whether pw, in lower case and without the digits and
// symbols people add at the end ("Motdepasse2026!"), is a common password.
func isCommon(pw string) bool {
	p := strings.ToLower(pw)
	if commonPasswords[p] {
		return true
	}
	stem := strings.TrimRightFunc(p, func(r rune) bool { return !unicode.IsLetter(r) })
	return len(stem) >= 6 && commonPasswords[stem]
}
