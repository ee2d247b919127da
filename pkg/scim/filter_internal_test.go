package scim

import "testing"

func TestRewriteFilter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`emails[type eq "work"].value eq "a@b.c"`:                    `emails[type eq "work" and value eq "a@b.c"]`,
		`userName eq "a@b.c"`:                                        `userName eq "a@b.c"`,
		`emails[type eq "work"].value eq "a \"q\" b"`:                `emails[type eq "work" and value eq "a \"q\" b"]`,
		`emails[type eq "work" or primary eq true].value eq "x"`:     `emails[(type eq "work" or primary eq true) and value eq "x"]`,
		`active eq true and emails[type eq "work"].value eq "a@b.c"`: `active eq true and emails[type eq "work" and value eq "a@b.c"]`,
		`emails[type eq "work"]`:                                     `emails[type eq "work"]`,
		`phoneNumbers[type eq "mobile"].value sw "+91"`:              `phoneNumbers[type eq "mobile" and value sw "+91"]`,
		`emails.value eq "a@b.c"`:                                    `emails[value eq "a@b.c"]`,
		`emails eq "a@b.c"`:                                          `emails[value eq "a@b.c"]`,
		`Emails.Type EQ "work"`:                                      `Emails[Type EQ "work"]`,
		`(emails.value pr) and not (roles co "Sales")`:               `(emails[value pr]) and not (roles[value co "Sales"])`,
		`name.givenName eq "emails co x"`:                            `name.givenName eq "emails co x"`,
		`userName eq "a \"emails eq b\" c"`:                          `userName eq "a \"emails eq b\" c"`,
		`myemails eq "x"`:                                            `myemails eq "x"`,
		`emails[primary eq "True"].value eq "a@b.c"`:                 `emails[primary eq true and value eq "a@b.c"]`,
		`active eq "False"`:                                          `active eq false`,
		`addresses[type eq "work"].streetAddress pr`:                 `addresses[type eq "work" and streetAddress pr]`,
		`userName eq "active eq \"True\""`:                           `userName eq "active eq \"True\""`,
	} {
		if got := rewriteFilter(in); got != want {
			t.Errorf("rewriteFilter(%s) = %s, want %s", in, got, want)
		}
	}
}
