package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"
	"go.temporal.io/sdk/worker"
	"golang.org/x/sync/errgroup"

	"appstore/activities"
	"appstore/workflows"
	wfclient "appstore/workflows/client"
	"appstore/workflows/contract"
)

func workerCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker (workflows and activities) with /healthz, /readyz, /metrics",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withPlatform(cmd.Context(), func(p *platform) error {
				g, ctx := errgroup.WithContext(cmd.Context())
				g.Go(func() error { return listen(ctx, p.log, "worker-http", p.cfg.WorkerHTTPAddr, p.opsHandler()) })
				g.Go(func() error { return p.work(ctx) })
				return g.Wait()
			})
		},
	}
}

// opsHandler serves the worker's /healthz, /readyz and /metrics.
func (p *platform) opsHandler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", func(c *gin.Context) {
		for _, ch := range p.checks() {
			if err := ch.Run(c.Request.Context()); err != nil {
				p.log.Warn("readiness check failed", "check", ch.Name, "err", err)
				c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "failed": ch.Name})
				return
			}
		}
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(p.registry, promhttp.HandlerOpts{})))
	return r
}

// work runs the Temporal worker until ctx ends. It first makes sure the
// platform's Schedules exist (idempotent, so every worker may do it).
func (p *platform) work(ctx context.Context) error {
	if err := waitForTemporal(ctx, p.log, p.temporal); err != nil {
		return err
	}
	tc := wfclient.New(p.temporal)
	err := tc.EnsureRetentionSchedule(ctx, p.cfg.TaskQueue, p.cfg.RetentionInterval,
		contract.RetentionInput{EventRetention: p.cfg.EventRetention})
	if err != nil {
		return fmt.Errorf("retention schedule: %w", err)
	}
	w := worker.New(p.temporal, p.cfg.TaskQueue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: p.store, Mailer: p.mailer(), BaseURL: p.cfg.BaseURL.String(),
		WebhookSchedule: p.cfg.WebhookRetrySchedule, OutboundAllow: p.cfg.OutboundAllow,
		HTTPClient: activities.NewOutboundClient(p.cfg.OutboundAllow), Temporal: tc})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	p.log.Info("worker started", "task_queue", p.cfg.TaskQueue, "namespace", p.cfg.TemporalNamespace)
	<-ctx.Done()
	w.Stop()
	return nil
}

// mailer is SMTP in production and the /dev/mail outbox in development.
func (p *platform) mailer() activities.Mailer {
	if !p.cfg.Production() && p.cfg.SMTP.Host == "" {
		return &activities.OutboxMailer{Store: p.store}
	}
	return &activities.SMTPMailer{Host: p.cfg.SMTP.Host, Port: p.cfg.SMTP.Port, Username: p.cfg.SMTP.Username,
		Password: p.cfg.SMTP.Password, From: p.cfg.SMTP.From, TLS: p.cfg.SMTP.TLS}
}
