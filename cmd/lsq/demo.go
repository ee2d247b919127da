package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

const demoLong = `Walks a realistic tour of the User Management API through the leadsquared client: creates a
team with a manager, applies a permission template, checks in and out, reads the hierarchy and
the work day, then bursts past the rate limit and shows the client riding it out.

By default it starts a fake LeadSquared in-process (rate limit 25 in 1 second(s)) and needs
nothing else. --base-url points the same tour at a real account, with the keys in
LSQ_ACCESS_KEY and LSQ_SECRET_KEY or --keys-file (never flags: they would show in the process
list); it then only reads, unless --allow-writes is given (it creates users and a template,
and checks the key owner in and out).

Exit status: 0 the tour ran; 1 a step failed; 2 usage error.`

type demoConfig struct {
	baseURL, accessKey, secretKey string
	allowWrites                   bool
	emailDomain                   string
	burst                         int
	verbose                       bool
}

func (a *app) demoCommand() *cobra.Command {
	var (
		cfg demoConfig
		cf  clientFlags
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Walk a tour of the API against a fake LeadSquared (or a real account)",
		Long:  demoLong,
		Args:  a.noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.baseURL != "" {
				keys, err := a.loadCredentials(cf.keysFile)
				if err != nil {
					return a.clientError(cmd, err)
				}
				cfg.accessKey, cfg.secretKey = keys.accessKey, keys.secretKey
			}
			cfg.verbose = cf.verbose
			if err := demo(cmd.Context(), cfg, a.stdout); err != nil {
				fmt.Fprintf(a.stderr, "%s: %v\n", cmd.CommandPath(), scrubErr(err, credentials{accessKey: cfg.accessKey, secretKey: cfg.secretKey}))
				return &exitError{exitInvalid}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.baseURL, "base-url", "", "a real account's API base URL or host (default: an in-process fake)")
	f.BoolVar(&cfg.allowWrites, "allow-writes", false, "with --base-url: also create users and a template, and check in and out")
	f.StringVar(&cfg.emailDomain, "email-domain", "example.com", "domain of the demo users' email addresses")
	f.IntVar(&cfg.burst, "burst", -1, "concurrent calls of the rate-limit step (default 60 on the fake, 0 on a real account)")
	f.Lookup("burst").DefValue = "0" // -1 means "the default of the target", which the usage says; not "(default -1)"
	cf.register(cmd, false)
	f.Lookup("verbose").Usage = "log every retry in the report" // the tour's own log, on standard output
	return cmd
}

// retryCounter is a slog handler that counts the client's retry lines (and can print them).
type retryCounter struct {
	rateLimited atomic.Int64
	other       atomic.Int64
	next        slog.Handler // nil: count only
}

func (h *retryCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (h *retryCounter) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h *retryCounter) WithGroup(string) slog.Handler                { return h }
func (h *retryCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		rl := false
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "reason" && a.Value.String() == "rate limited" {
				rl = true
			}
			return true
		})
		if rl {
			h.rateLimited.Add(1)
		} else {
			h.other.Add(1)
		}
	}
	if h.next != nil {
		return h.next.Handle(ctx, r)
	}
	return nil
}

type tour struct {
	out   io.Writer
	c     *leadsquared.Client
	n     int
	total int
	start time.Time
}

func (t *tour) step(name string, f func() (string, error)) error {
	t.n++
	begin := time.Now()
	msg, err := f()
	d := time.Since(begin).Round(100 * time.Microsecond)
	if err != nil {
		fmt.Fprintf(t.out, "[%d/%d] %-22s FAILED  %v\n", t.n, t.total, name, err)
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(t.out, "[%d/%d] %-22s ok  %s (%s)\n", t.n, t.total, name, msg, d)
	return nil
}

func (t *tour) skip(name, why string) {
	t.n++
	fmt.Fprintf(t.out, "[%d/%d] %-22s skipped  %s\n", t.n, t.total, name, why)
}

func demo(ctx context.Context, cfg demoConfig, out io.Writer) error {
	fake := cfg.baseURL == ""
	writes := fake || cfg.allowWrites
	if cfg.burst < 0 {
		cfg.burst = 0
		if fake {
			cfg.burst = 60
		}
	}
	if fake {
		srv, err := lsqtest.NewServer(lsqtest.WithRateLimit(25, time.Second, lsqtest.Form429))
		if err != nil {
			return err
		}
		defer srv.Close()
		cfg.baseURL, cfg.accessKey, cfg.secretKey = srv.URL, srv.AccessKey, srv.SecretKey
		fmt.Fprintf(out, "lsq demo: a fake LeadSquared at %s (rate limit 25 in 1 second(s), answered with HTTP 429)\n", srv.URL)
	} else {
		fmt.Fprintf(out, "lsq demo: the account at %s (writes %s)\n", cfg.baseURL, map[bool]string{true: "allowed", false: "off: read-only tour"}[writes])
	}
	counter := &retryCounter{}
	if cfg.verbose {
		counter.next = slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	c, err := leadsquared.New(cfg.baseURL, cfg.accessKey, cfg.secretKey,
		leadsquared.WithHeaderAuth(), leadsquared.WithLogger(slog.New(counter)),
		leadsquared.WithMaxRetries(5), leadsquared.WithRequestValidation())
	if err != nil {
		return err
	}
	t := &tour{out: out, c: c, total: 10, start: time.Now()}
	var ownerID, managerID, templateID string
	var team []string
	suffix := randomHex(3)

	if err := t.step("authenticate", func() (string, error) {
		u, err := c.AuthenticateUser(ctx)
		if err != nil {
			return "", err
		}
		ownerID = u.ID
		return fmt.Sprintf("keys of %s (%s) at %s", u.Name, u.Role, u.OrgDisplayName), nil
	}); err != nil {
		return err
	}

	if writes {
		if err := t.step("create a team", func() (string, error) {
			mid, err := createUser(ctx, c, "Maya", "Manager"+suffix, api.RoleSalesManager, "", cfg.emailDomain)
			if err != nil {
				return "", err
			}
			managerID = mid
			for _, name := range []string{"Ravi", "Sara", "Tom"} {
				id, err := createUser(ctx, c, name, "Seller"+suffix, api.RoleSalesUser, managerID, cfg.emailDomain)
				if err != nil {
					return "", err
				}
				team = append(team, id)
			}
			return fmt.Sprintf("manager %s and %s reporting to her", short(managerID), plural(len(team), "sales user", "sales users")), nil
		}); err != nil {
			return err
		}
		if err := t.step("permission template", func() (string, error) {
			desc := "Sales users see and edit leads; no exports."
			res, err := c.CreatePermissionTemplate(ctx, api.PermissionTemplateInput{
				Name: "Demo sales " + suffix, Description: desc,
				EntityPermissions: []api.EntityPermissionInput{{
					Entity: api.PermissionEntityLead,
					Permissions: []api.PermissionInput{
						{Action: api.PermissionActionView, Access: api.PermissionAccessFull},
						{Action: api.PermissionActionUpdate, Access: api.PermissionAccessFull},
						{Action: api.PermissionActionExport, Access: api.PermissionAccessNone},
					},
				}},
			})
			if err != nil {
				return "", err
			}
			if res.Message.ID == "" {
				return "", errors.New("no template id in the reply")
			}
			templateID = res.Message.ID
			applied, err := c.ApplyPermissionTemplate(ctx, api.ApplyPermissionTemplateParams{}, api.PermissionTemplateApplyRequest{ID: templateID, UserIDs: team})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("created %s, applied to the team: %v", short(templateID), bool(applied.Message.IsSuccessful)), nil
		}); err != nil {
			return err
		}
		if err := t.step("check in and out", func() (string, error) {
			online := api.AvailabilityStatusOnline
			if _, err := c.CheckInUser(ctx, api.CheckInRequest{Source: "lsq demo", AvailabilityStatus: online}); err != nil {
				return "", err
			}
			st, err := c.GetCheckInStatus(ctx, api.GetCheckInStatusParams{})
			if err != nil {
				return "", err
			}
			in := bool(st.IsCheckedIn)
			if _, err := c.CheckOutUser(ctx, api.CheckOutRequest{Source: "lsq demo"}); err != nil {
				return "", err
			}
			st, err = c.GetCheckInStatus(ctx, api.GetCheckInStatusParams{})
			if err != nil {
				return "", err
			}
			out := !bool(st.IsCheckedIn)
			return fmt.Sprintf("key owner checked in: %v, then out: %v", in, out), nil
		}); err != nil {
			return err
		}
	} else {
		t.skip("create a team", "read-only (--allow-writes to run it)")
		t.skip("permission template", "read-only")
		t.skip("check in and out", "read-only")
	}

	if err := t.step("hierarchy", func() (string, error) {
		top := managerID
		if top == "" {
			top = ownerID
		}
		reports, err := c.GetUserHierarchy(ctx, api.GetUserHierarchyParams{UserID: &top})
		if err != nil {
			return "", err
		}
		info, err := c.GetUserHierarchyInfo(ctx, api.HierarchyInfoRequest{UserID: top})
		if err != nil {
			return "", err
		}
		verb := "report"
		if len(reports) == 1 {
			verb = "reports"
		}
		return fmt.Sprintf("%s %s to %s; hierarchy info lists %d", plural(len(reports), "user", "users"), verb, short(top), len(info.Users)), nil
	}); err != nil {
		return err
	}

	if err := t.step("work day", func() (string, error) {
		day := time.Now().UTC().Format("2006-01-02")
		w, err := c.GetUserWorkDayDetails(ctx, api.GetUserWorkDayDetailsParams{UserID: ownerID, Date: day})
		if err != nil {
			return "", err
		}
		avail := map[bool]string{true: "available", false: "not available"}[w.IsAvailable == 1]
		return fmt.Sprintf("key owner on %s: %s, %d working-hour blocks", day, avail, len(w.WorkingHours)), nil
	}); err != nil {
		return err
	}

	if err := t.step("search the team", func() (string, error) {
		res, err := c.AdvancedSearchUsers(ctx, api.UserSearchRequest{
			GroupConditions: []api.ConditionGroup{{Condition: []api.SearchCondition{{
				LookupName: "Role", Operator: api.SearchConditionOperatorEq, LookupValue: string(api.RoleSalesUser),
			}}}},
			Paging: api.UserSearchPaging{PageIndex: 1, PageSize: 100},
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s on the first page", plural(len(res.Users), "sales user", "sales users")), nil
	}); err != nil {
		return err
	}

	if cfg.burst > 0 {
		if err := t.step("ride the rate limit", func() (string, error) {
			var wg sync.WaitGroup
			var failed atomic.Int64
			var firstErr error
			var once sync.Once
			before := counter.rateLimited.Load()
			for range cfg.burst {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := c.GetUserByID(ctx, api.GetUserByIDParams{UserID: ownerID})
					if err != nil {
						failed.Add(1)
						once.Do(func() { firstErr = err })
					}
				}()
			}
			wg.Wait()
			if firstErr != nil {
				return "", fmt.Errorf("%d of %s failed: %w", failed.Load(), plural(cfg.burst, "call", "calls"), firstErr)
			}
			return fmt.Sprintf("%d concurrent calls all succeeded; %d rate-limit replies were absorbed by waiting and retrying, 0 reached the caller",
				cfg.burst, counter.rateLimited.Load()-before), nil
		}); err != nil {
			return err
		}
	} else {
		t.skip("ride the rate limit", "no burst on a real account (--burst N to run it)")
	}

	if writes {
		if err := t.step("clean up", func() (string, error) {
			if _, err := c.RemovePermissionTemplate(ctx, templateID); err != nil {
				return "", err
			}
			if _, err := c.DeletePermissionTemplate(ctx, api.DeletePermissionTemplateParams{ID: templateID}); err != nil {
				return "", err
			}
			for _, id := range append(team, managerID) {
				if _, err := c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: id}); err != nil {
					return "", err
				}
			}
			return fmt.Sprintf("template removed and deleted, %d demo users deactivated", len(team)+1), nil
		}); err != nil {
			return err
		}
	} else {
		t.skip("clean up", "nothing was written")
	}

	if err := t.step("an invalid request", func() (string, error) {
		_, err := c.CreateUser(ctx, api.CreateUserJSONRequestBody{FirstName: "Nobody", Role: "Boss"})
		switch {
		case err == nil:
			return "", errors.New("an invalid user was accepted")
		case !errors.Is(err, leadsquared.ErrInvalidRequest):
			return "", fmt.Errorf("an invalid user was not refused before sending: %w", err)
		}
		return "caught before sending: " + err.Error(), nil
	}); err != nil {
		return err
	}

	fmt.Fprintf(out, "lsq demo: done in %s; %s after rate limits, %d after other errors\n",
		time.Since(t.start).Round(time.Millisecond), plural(int(counter.rateLimited.Load()), "retry", "retries"), counter.other.Load())
	return nil
}

func createUser(ctx context.Context, c *leadsquared.Client, first, last string, role api.Role, manager, domain string) (string, error) {
	body := api.CreateUserJSONRequestBody{
		FirstName: first, LastName: last, Role: role, ManagerUserID: manager,
		EmailAddress: fmt.Sprintf("%s.%s@%s", first, last, domain),
	}
	res, err := c.CreateUser(ctx, body)
	if err != nil {
		return "", err
	}
	if res.Message.ID == "" {
		return "", errors.New("no user id in the reply")
	}
	return res.Message.ID, nil
}

// short abbreviates a GUID for the report.
func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
