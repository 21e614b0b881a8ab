package models

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// PasswordRules states the password rules for sign-up and reset pages.
const PasswordRules = "Use at least 10 characters. Avoid common passwords and your email address."

// Password length bounds, in characters. The upper bound keeps an argon2id
// computation from being fed megabytes.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 128
)

//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords holds the lowercased entries of common_passwords.txt.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for line := range strings.Lines(commonPasswordList) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// ValidatePassword checks a new password for the account of email: 10 to
// 128 characters, not a common password, not containing the local part of
// the email (when it has 4 characters or more), not one character repeated.
// It returns an invalid error ("weak_password") with a FieldError on
// "password" saying which rule failed.
func ValidatePassword(password, email string) error {
	weak := func(msg string) error {
		return Invalid("weak_password", msg+" "+PasswordRules, FieldError{Field: "password", Message: msg})
	}
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return weak("The password is too short.")
	case n > MaxPasswordLength:
		return weak("The password is too long (at most 128 characters).")
	case commonPasswords[strings.ToLower(password)]:
		return weak("This password is too common.")
	case oneRepeatedRune(password):
		return weak("The password repeats a single character.")
	}
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if utf8.RuneCountInString(local) >= 4 && strings.Contains(strings.ToLower(password), local) {
		return weak("The password contains your email address.")
	}
	return nil
}

// oneRepeatedRune reports whether s is a single character repeated.
func oneRepeatedRune(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	for _, r := range s {
		if r != first {
			return false
		}
	}
	return true
}
