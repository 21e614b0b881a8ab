package activities_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"appstore/activities"
)

// smtpMessage is one message the test SMTP server accepted.
type smtpMessage struct {
	From string
	To   []string
	Data []byte
}

// smtpServer is a minimal SMTP server on 127.0.0.1 (RFC 5321 without
// extensions beyond what the client needs), enough to see what a client
// sends. It offers neither STARTTLS nor AUTH.
type smtpServer struct {
	host     string
	port     int
	messages chan smtpMessage
}

func startSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	s := &smtpServer{host: addr.IP.String(), port: addr.Port, messages: make(chan smtpMessage, 10)}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(t, conn)
		}
	}()
	return s
}

func (s *smtpServer) serve(t *testing.T, conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(conn)
	reply := func(line string) bool { return tp.PrintfLine("%s", line) == nil }
	reply("220 test.invalid ESMTP")
	var msg smtpMessage
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			reply("250-test.invalid")
			reply("250 8BITMIME")
		case "HELO", "NOOP":
			reply("250 OK")
		case "RSET":
			msg = smtpMessage{}
			reply("250 OK")
		case "MAIL":
			msg = smtpMessage{From: addrArg(arg)}
			reply("250 OK")
		case "RCPT":
			msg.To = append(msg.To, addrArg(arg))
			reply("250 OK")
		case "DATA":
			reply("354 End data with <CR><LF>.<CR><LF>")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				t.Errorf("smtp server: DATA: %v", err)
				return
			}
			msg.Data = data
			s.messages <- msg
			msg = smtpMessage{}
			reply("250 OK: queued")
		case "QUIT":
			reply("221 Bye")
			return
		default:
			reply("502 Command not implemented")
		}
	}
}

// addrArg returns the address of "FROM:<a@b> SIZE=1" or "TO:<a@b>".
func addrArg(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

func (s *smtpServer) next(t *testing.T) smtpMessage {
	t.Helper()
	select {
	case m := <-s.messages:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("the SMTP server received no message")
		return smtpMessage{}
	}
}

func TestSMTPMailerSendsMultipartAlternative(t *testing.T) {
	srv := startSMTPServer(t)
	mailer := activities.SMTPMailer{Host: srv.host, Port: srv.port, From: "Appstore <noreply@appstore.test>", TLS: activities.SMTPNoTLS}
	want := activities.Mail{
		To:      "new.dev@example.com",
		Subject: "You're invited to join Acme & Co on Appstore",
		Text:    "Accept: https://appstore.test/invitations/accept?token=asi_abc\n",
		HTML:    `<p><a href="https://appstore.test/invitations/accept?token=asi_abc">Accept</a> &amp; welcome</p>`,
	}
	if err := mailer.Send(context.Background(), want); err != nil {
		t.Fatal(err)
	}

	got := srv.next(t)
	if got.From != "noreply@appstore.test" || len(got.To) != 1 || got.To[0] != want.To {
		t.Errorf("envelope from %q to %v, want noreply@appstore.test to %s", got.From, got.To, want.To)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	if to := msg.Header.Get("To"); !strings.Contains(to, want.To) {
		t.Errorf("To = %q, want %s", to, want.To)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != want.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, want.Subject)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, want multipart/alternative", msg.Header.Get("Content-Type"))
	}
	parts := map[string]string{}
	var order []string
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		typ, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[typ] = strings.ReplaceAll(string(body), "\r\n", "\n")
		order = append(order, typ)
	}
	// Plain text first: a client shows the last part it can render.
	if strings.Join(order, ",") != "text/plain,text/html" {
		t.Errorf("parts = %v, want text/plain then text/html", order)
	}
	if parts["text/plain"] != want.Text {
		t.Errorf("text part = %q, want %q", parts["text/plain"], want.Text)
	}
	if parts["text/html"] != want.HTML {
		t.Errorf("html part = %q, want %q", parts["text/html"], want.HTML)
	}
}

func TestSMTPMailerErrors(t *testing.T) {
	srv := startSMTPServer(t)
	m := activities.Mail{To: "a@example.com", Subject: "s", Text: "t", HTML: "<p>h</p>"}
	tests := []struct {
		name   string
		mailer activities.SMTPMailer
		mail   activities.Mail
		want   string
	}{
		// STARTTLS is mandatory unless TLS is "none": a server that does
		// not offer it gets no mail in the clear.
		{"starttls required", activities.SMTPMailer{Host: srv.host, Port: srv.port, From: "noreply@appstore.test"}, m, "STARTTLS"},
		{"unknown TLS mode", activities.SMTPMailer{Host: srv.host, Port: srv.port, From: "noreply@appstore.test", TLS: "maybe"}, m, `TLS mode "maybe"`},
		{"bad recipient", activities.SMTPMailer{Host: srv.host, Port: srv.port, From: "noreply@appstore.test", TLS: activities.SMTPNoTLS},
			activities.Mail{To: "not an address"}, "to"},
		{"nothing listening", activities.SMTPMailer{Host: "127.0.0.1", Port: closedPort(t), From: "noreply@appstore.test", TLS: activities.SMTPNoTLS}, m, "send via 127.0.0.1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.mailer.Send(context.Background(), tt.mail)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	select {
	case got := <-srv.messages:
		t.Errorf("server received a message to %v, want none", got.To)
	default:
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}
