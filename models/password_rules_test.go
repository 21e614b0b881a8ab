package models_test

import (
	"strings"
	"testing"

	"appstore/models"
	"appstore/models/modeltest"
)

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, password, email string
		ok                    bool
	}{
		{"good", "violet-otter-lamp", "ada@example.com", true},
		{"exactly 10", "k3#pLx9!qa", "ada@example.com", true},
		{"exactly 128", strings.Repeat("ab", 64), "ada@example.com", true},
		{"multibyte counted as characters", "ñandú-çafé", "ada@example.com", true},
		{"9 characters", "k3#pLx9!q", "ada@example.com", false},
		{"9 multibyte characters", "ñandúçafé", "ada@example.com", false},
		{"129 characters", strings.Repeat("ab", 64) + "c", "ada@example.com", false},
		{"empty", "", "ada@example.com", false},
		{"common", "password123", "ada@example.com", false},
		{"common, other case", "QwertyUIOP", "ada@example.com", false},
		{"one repeated character", "zzzzzzzzzzzz", "ada@example.com", false},
		{"contains the local part", "my-lovelace-2024", "Lovelace@example.com", false},
		{"short local part is not checked", "ada-lovelace-2024", "ada@example.com", true},
		{"domain may appear", "example.com-rocks", "lovelace@example.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := models.ValidatePassword(tt.password, tt.email)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidatePassword(%q) = %v, want ok", tt.password, err)
				}
				return
			}
			de := modeltest.WantError(t, err, models.KindInvalid, "weak_password")
			if len(de.Fields) != 1 || de.Fields[0].Field != "password" || de.Fields[0].Message == "" {
				t.Errorf("fields = %+v, want one on password", de.Fields)
			}
			if !strings.Contains(de.Message, models.PasswordRules) {
				t.Errorf("message %q does not state the rules", de.Message)
			}
		})
	}
}
