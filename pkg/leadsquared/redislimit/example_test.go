package redislimit_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared"
	"github.com/leadsquared-go/leadsquared-go/pkg/leadsquared/redislimit"
)

// Every worker that calls LeadSquared with the account's keys makes its client with a
// limiter on the same Redis: together they stay within the account's budget.
//
// It needs a Redis server, so it is compiled but not run (the package's tests start a
// redis-server of their own).
func ExampleNew() {
	accessKey, secretKey := os.Getenv("LSQ_ACCESS_KEY"), os.Getenv("LSQ_SECRET_KEY")
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer rdb.Close()

	lim, err := redislimit.New(rdb, accessKey, redislimit.Options{
		Standard: redislimit.Limit{Calls: 25, Per: 5 * time.Second}, // your plan's limits
		Bulk:     redislimit.Limit{Calls: 5, Per: 5 * time.Second},
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := leadsquared.New(leadsquared.HostIndiaMumbai, accessKey, secretKey, leadsquared.WithLimiter(lim))
	if err != nil {
		log.Fatal(err)
	}
	users, err := c.GetUsers(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(users), "users;", api.OpGetUsers, "was paced across every worker")
}

// AccountID names the account in the Redis keys without the access key itself.
func ExampleAccountID() {
	fmt.Println(len(redislimit.AccountID("an-access-key")))
	// Output: 64
}
