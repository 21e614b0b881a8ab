package activities

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"appstore/web"
)

// The mails' two parts, parsed once from web/mail: each mail is a
// {{define}} of its name in NAME.txt.tmpl and in NAME.html.tmpl.
var (
	mailText = texttemplate.Must(texttemplate.ParseFS(web.Mail(), "*.txt.tmpl"))
	mailHTML = htmltemplate.Must(htmltemplate.ParseFS(web.Mail(), "*.html.tmpl"))
)

// renderMail fills mail name's text and HTML parts with data, addressed to
// to under subject.
func renderMail(name, to, subject string, data any) (Mail, error) {
	var text, html strings.Builder
	if err := mailText.ExecuteTemplate(&text, name, data); err != nil {
		return Mail{}, fmt.Errorf("%s mail: text: %w", name, err)
	}
	if err := mailHTML.ExecuteTemplate(&html, name, data); err != nil {
		return Mail{}, fmt.Errorf("%s mail: html: %w", name, err)
	}
	return Mail{To: to, Subject: subject, Text: text.String(), HTML: html.String()}, nil
}
