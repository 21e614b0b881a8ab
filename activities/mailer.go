package activities

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"appstore/models"
	"appstore/models/postgres"
)

// Mail is one message with a plain-text and an HTML body.
type Mail struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Mailer sends mail. Send returns nil once the message is handed over (to
// the SMTP server or the outbox); an error means it may not have been, and
// the calling activity is retried.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// OutboxMailer is the development Mailer: it writes each message to
// dev_mail_outbox, which /dev/mail shows, instead of sending it.
type OutboxMailer struct {
	Store *postgres.Store
}

// Send stores m in the outbox. It returns the store's error.
func (o OutboxMailer) Send(ctx context.Context, m Mail) error {
	err := o.Store.SaveDevMail(ctx, models.DevMail{To: m.To, Subject: oneLine(m.Subject), Text: m.Text, HTML: m.HTML})
	if err != nil {
		return fmt.Errorf("outbox mailer: %w", err)
	}
	return nil
}

// SMTP TLS modes of SMTPMailer.TLS.
const (
	SMTPStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is required
	SMTPTLS      = "tls"      // implicit TLS from the first byte (usually port 465)
	SMTPNoTLS    = "none"     // no encryption: only for a relay on the same host or network
)

// smtpTimeout bounds dialling and each SMTP command.
const smtpTimeout = 30 * time.Second

// SMTPMailer is the production Mailer: it sends each message as
// multipart/alternative (plain text and HTML) through one SMTP connection
// per message. Username empty means no authentication; otherwise the
// strongest mechanism the server offers is used.
type SMTPMailer struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	TLS      string // SMTPStartTLS (the default when empty), SMTPTLS or SMTPNoTLS
}

// Send delivers m to the SMTP server. It returns an error for a bad
// configuration or address, and the server's or connection's error, which
// the calling activity retries.
func (s SMTPMailer) Send(ctx context.Context, m Mail) error {
	msg := mail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return fmt.Errorf("smtp mailer: from %q: %w", s.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("smtp mailer: to %q: %w", m.To, err)
	}
	msg.Subject(oneLine(m.Subject))
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)

	opts, err := s.options()
	if err != nil {
		return fmt.Errorf("smtp mailer: %w", err)
	}
	client, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp mailer: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp mailer: send via %s: %w", client.ServerAddr(), err)
	}
	return nil
}

// options translates the configuration into go-mail client options. A zero
// Port takes the usual port of the TLS mode.
func (s SMTPMailer) options() ([]mail.Option, error) {
	opts := []mail.Option{mail.WithTimeout(smtpTimeout)}
	port := s.Port
	switch s.TLS {
	case SMTPStartTLS, "":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
		port = cmp.Or(port, 587)
	case SMTPTLS:
		opts = append(opts, mail.WithSSL())
		port = cmp.Or(port, 465)
	case SMTPNoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
		port = cmp.Or(port, 25)
	default:
		return nil, fmt.Errorf("TLS mode %q is not %s, %s or %s", s.TLS, SMTPStartTLS, SMTPTLS, SMTPNoTLS)
	}
	opts = append(opts, mail.WithPort(port))
	if s.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	return opts, nil
}

// oneLine keeps a header value on one line, whatever a title contains.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
