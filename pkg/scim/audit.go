package scim

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// AuditEntry is one line of the audit log. Every change sent to LeadSquared has two: one
// with Result "sending" written before the call (a change whose line cannot be written is
// not sent: the request gets a 500), and one with LeadSquared's answer after it. Op
// "...: nothing LeadSquared can store" is a request that changed nothing. It never holds
// the LeadSquared keys or the SCIM token.
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

// begin appends e with Result "sending", before the call: a change whose line cannot be
// written is not made.
func (a *auditLog) begin(e *AuditEntry) error {
	return a.append(e, "sending")
}

// write appends e again with LeadSquared's answer ("ok" or the error). Its own failure
// is not the request's: the change is made, and begin's line records it.
func (a *auditLog) write(e *AuditEntry, err error) {
	result := "ok"
	if err != nil {
		result = err.Error()
	}
	_ = a.append(e, result)
}

func (a *auditLog) append(e *AuditEntry, result string) error {
	if a.w == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	e.Result = result
	e.Time = a.now().UTC().Format(time.RFC3339Nano)
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = a.w.Write(append(b, '\n'))
	return err
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
	add("middleName", u.MiddleName)
	add("timeZone", u.TimeZone)
	add("address", u.Street)
	add("city", u.City)
	add("state", u.Region)
	add("zipCode", u.PostalCode)
	add("country", u.Country)
	for k, v := range u.Custom {
		add(k, v)
	}
	return m
}
