package activities

import "testing"

// Every mail has both parts: a text and an HTML template of its name.
func TestMailTemplatesComeInPairs(t *testing.T) {
	for _, name := range []string{"invitation", "password_reset", "review_reminder", "secret_rotation_reminder", "signup_existing", "verify_email"} {
		if mailText.Lookup(name) == nil || mailHTML.Lookup(name) == nil {
			t.Errorf("mail %q: text part %v, HTML part %v", name, mailText.Lookup(name) != nil, mailHTML.Lookup(name) != nil)
		}
	}
}
