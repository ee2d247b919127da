package scim

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// AuditEntry is one line of the audit log: one change sent to LeadSquared (or, for
// Op "...: nothing LeadSquared can store", a request that changed nothing). It never
// holds the LeadSquared keys or the SCIM token.
type AuditEntry struct {
	Time string `json:"time"`
	// Client is who asked: the SCIM client's address and User-Agent.
	Client string `json:"client"`
	// Op is what: create, delete, replace or patch, and the LeadSquared call (": update",
	// ": deactivate", ...).
	Op     string `json:"op"`
	UserID string `json:"userId,omitempty"`
	// Before and After are the user's fields before and after.
	Before map[string]any `json:"before,omitempty"`
	After  map[string]any `json:"after,omitempty"`
	// Ignored names the attributes of the request that LeadSquared has no place for.
	Ignored []string `json:"ignored,omitempty"`
	// Result is LeadSquared's answer: "ok", or the error (redacted by the client).
	Result string `json:"result"`
}

// auditLog writes AuditEntry lines to w (nothing when w is nil).
type auditLog struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

func (a *auditLog) entry(r *http.Request, op string, before, after user, ignored []string) *AuditEntry {
	return &AuditEntry{
		Client: r.RemoteAddr + " " + r.UserAgent(), Op: op, UserID: before.ID,
		Before: fields(before), After: fields(after), Ignored: ignored,
	}
}

// write completes e with the time and LeadSquared's answer and appends it.
func (a *auditLog) write(e *AuditEntry, err error) {
	if a.w == nil {
		return
	}
	e.Result = "ok"
	if err != nil {
		e.Result = err.Error()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	e.Time = a.now().UTC().Format(time.RFC3339Nano)
	b, merr := json.Marshal(e)
	if merr != nil {
		return
	}
	_, _ = a.w.Write(append(b, '\n'))
}

// fields is the audit view of a user (nil for none).
func fields(u user) map[string]any {
	if u.ID == "" && u.Email == "" {
		return nil
	}
	m := map[string]any{"email": u.Email, "active": u.Active}
	add := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	add("firstName", u.GivenName)
	add("lastName", u.FamilyName)
	add("role", u.Role)
	add("designation", u.Title)
	add("department", u.Department)
	add("phoneMain", u.PhoneWork)
	add("phoneMobile", u.PhoneMobile)
	add("managerUserId", u.Manager)
	for k, v := range u.Custom {
		add(k, v)
	}
	return m
}
