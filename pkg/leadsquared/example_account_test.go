package leadsquared_test

import (
	"context"
	"encoding/json"
	"go/doc"
	"go/parser"
	"go/token"
	"log"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/lsqtest"
)

// exampleAccount is the fake account the generated Examples (example_gen_test.go) call: a
// fake LeadSquared (lsqtest) holding, besides the owner of the keys, the users the docs'
// samples name by address (Vir Singh, Bob Doe who reports to Vir, Frank Doe who reports to
// Bob) and one permission template. It returns a client of the account (lsqclient's
// settings: no real waits), sample, which decodes a sample of the spec or the docs into a
// request with the docs' ids replaced by the account's (the first user id a sample names is
// Vir's, the next Bob's, ...; a template id is the template's), and done, which closes the
// fake. For MarkUserObsolete, Vir is deactivated first: LeadSquared marks only inactive
// users obsolete.
func exampleAccount(op api.OperationID) (c *leadsquared.Client, sample func(v any, sample string), done func()) {
	srv, err := lsqtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	c, err = leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey, leadsquared.WithClock(srv.Clock()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	var users []string
	for _, u := range []struct{ first, last, email string }{
		{"Vir", "Singh", "vir.singh@leadsquared.com"},
		{"Bob", "Doe", "bobdoe@example.com"},
		{"Frank", "Doe", "frankdoe@example.com"},
	} {
		req := api.UserCreateRequest{FirstName: u.first, LastName: u.last, EmailAddress: u.email, Role: api.RoleSalesUser}
		if len(users) > 0 {
			req.ManagerUserID = users[len(users)-1]
		}
		created, err := c.CreateUser(ctx, req)
		if err != nil {
			log.Fatal(err)
		}
		users = append(users, created.Message.ID)
	}
	tmpl, err := c.CreatePermissionTemplate(ctx, api.PermissionTemplateInput{Name: "Sales reps", Description: "What sales reps may do"})
	if err != nil {
		log.Fatal(err)
	}
	if op == api.OpMarkUserObsolete {
		if _, err := c.DeactivateUser(ctx, api.DeactivateUserParams{UserID: users[0]}); err != nil {
			log.Fatal(err)
		}
	}

	ids := map[string]string{} // docs' user id -> the account's
	sample = func(v any, s string) {
		var doc any
		if err := json.Unmarshal([]byte(s), &doc); err != nil {
			log.Fatal(err)
		}
		doc = replaceIDs(doc, "", func(key, id string) string {
			k := strings.ToLower(key)
			switch {
			case k == "id" || strings.Contains(k, "permissiontemplate"):
				return tmpl.Message.ID
			case strings.Contains(k, "user") || strings.Contains(k, "manager"):
				if _, ok := ids[id]; !ok {
					ids[id] = users[len(ids)%len(users)]
				}
				return ids[id]
			}
			return id // teams, groups, calendars: not the account's to hold
		})
		b, err := json.Marshal(doc)
		if err != nil {
			log.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			log.Fatal(err)
		}
	}
	return c, sample, srv.Close
}

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// replaceIDs replaces every GUID string of a decoded JSON value by what replace returns for it
// and the key it is under (an array's items are under the array's key).
func replaceIDs(v any, key string, replace func(key, id string) string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = replaceIDs(e, k, replace)
		}
	case []any:
		for i, e := range x {
			x[i] = replaceIDs(e, key, replace)
		}
	case string:
		if guid.MatchString(x) {
			return replace(key, x)
		}
	}
	return v
}

// Every method of the client has a runnable Example (the generated ones of
// example_gen_test.go), with an Output to check, so `go test -run Example` calls each once.
func TestEveryMethodHasAnExample(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	examples := map[string]bool{}
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range doc.Examples(af) {
			if ex.Output != "" || ex.EmptyOutput {
				examples["Client_"+ex.Suffix] = true
				examples[ex.Name] = true
			}
		}
	}
	for _, op := range api.OperationIDs {
		if !examples["Client_"+string(op)] {
			t.Errorf("no Example with an Output for Client.%s (want ExampleClient_%s)", op, op)
		}
	}
}
