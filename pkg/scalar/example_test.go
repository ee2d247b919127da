package scalar_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
)

// LeadSquared sends one attribute in different JSON types across operations and accounts; the
// scalar types read every form, so one drifted value never costs the reply.
func Example() {
	var u struct {
		IsAgent   scalar.Bool
		Limit     scalar.Int
		CreatedOn scalar.DateTime
	}
	for _, reply := range []string{
		`{"IsAgent":true,"Limit":30,"CreatedOn":"2020-03-31 13:31:17"}`,
		`{"IsAgent":"True","Limit":"30","CreatedOn":"/Date(1585661477000)/"}`,
		`{"IsAgent":"1","Limit":"","CreatedOn":null}`,
	} {
		if err := json.Unmarshal([]byte(reply), &u); err != nil {
			log.Fatal(err)
		}
		fmt.Println(bool(u.IsAgent), int64(u.Limit), u.CreatedOn.IsZero(), u.CreatedOn.Format("2006-01-02 15:04:05"))
	}
	// Output:
	// true 30 false 2020-03-31 13:31:17
	// true 30 false 2020-03-31 13:31:17
	// true 0 true 0001-01-01 00:00:00
}
