package models_test

import (
	"regexp"
	"strings"
	"testing"

	"appstore/models"
)

var phcArgon2id = regexp.MustCompile(`^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h1, err := models.HashPassword("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	h2, err := models.HashPassword("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{h1, h2} {
		if !phcArgon2id.MatchString(h) {
			t.Errorf("hash %q is not an argon2id PHC string", h)
		}
	}
	if h1 == h2 {
		t.Error("two hashes of one password are equal; the salt is not random")
	}
	parts := strings.Split(h1, "$")
	tests := []struct {
		name, hash, password string
		want                 bool
	}{
		{"right", h1, "s3cret", true},
		{"right, other salt", h2, "s3cret", true},
		{"wrong", h1, "s3cret!", false},
		{"empty password", h1, "", false},
		{"empty hash", "", "s3cret", false},
		{"plaintext stored", "s3cret", "s3cret", false},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "s3cret", false},
		{"argon2i", strings.Replace(h1, "$argon2id$", "$argon2i$", 1), "s3cret", false},
		{"other version", strings.Replace(h1, "$v=19$", "$v=16$", 1), "s3cret", false},
		{"missing part", strings.Join(parts[:5], "$"), "s3cret", false},
		{"extra part", h1 + "$x", "s3cret", false},
		{"bad params", strings.Join([]string{"", parts[1], parts[2], "m=lots,t=2,p=1", parts[4], parts[5]}, "$"), "s3cret", false},
		{"zero passes", strings.Join([]string{"", parts[1], parts[2], "m=19456,t=0,p=1", parts[4], parts[5]}, "$"), "s3cret", false},
		{"zero threads", strings.Join([]string{"", parts[1], parts[2], "m=19456,t=2,p=0", parts[4], parts[5]}, "$"), "s3cret", false},
		{"bad salt", strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!!", parts[5]}, "$"), "s3cret", false},
		{"bad key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "!!!!"}, "$"), "s3cret", false},
		{"empty key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], ""}, "$"), "s3cret", false},
		{"other key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], strings.Split(h2, "$")[5]}, "$"), "s3cret", false},
		{"other params", strings.Join([]string{"", parts[1], parts[2], "m=19456,t=3,p=1", parts[4], parts[5]}, "$"), "s3cret", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := models.CheckPassword(tt.hash, tt.password); got != tt.want {
				t.Fatalf("CheckPassword(%q, %q) = %v, want %v", tt.hash, tt.password, got, tt.want)
			}
		})
	}
}
