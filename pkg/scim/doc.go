// Package scim is a SCIM 2.0 service provider (RFC 7643, RFC 7644) for the Users of one
// LeadSquared account, so that an identity provider (Microsoft Entra ID, Okta) can create,
// update and deactivate LeadSquared users. [New] returns an http.Handler to mount in any
// server; `lsq scim serve` is its command.
//
//	h, err := scim.New(scim.Config{Client: c, Token: os.Getenv("LSQ_SCIM_TOKEN"), DefaultRole: "Sales_User", Audit: os.Stderr})
//	if err != nil {
//		return err
//	}
//	http.Handle(scim.DefaultBasePath+"/", h)
//
// It serves /ServiceProviderConfig, /Schemas, /ResourceTypes and /Users under
// [Config.BasePath] (doubled or trailing slashes and the endpoint's letter case do not
// matter): GET /Users/{id}; GET /Users with filter (userName eq, emails eq, emails.value
// eq, emails[type eq "work"].value eq, externalId eq, enterprise attributes by their URN,
// and any other filter of RFC 7644 section 3.4.2.2, joined with and/or; a complex
// attribute compared whole, name eq "x", is 400 invalidFilter), startIndex and count
// (itemsPerPage is the number returned); POST; PUT; PATCH (add, replace, remove in any
// letter case, with or without a path); DELETE. The attributes and excludedAttributes
// query parameters (RFC 7644 section 3.4.2.5: names in any letter case, sub-attributes,
// URN-qualified names) shape every User answer; id and schemas are always returned.
// Schema validation, PATCH paths and filters come from github.com/elimity-com/scim and its
// filter parser.
// Every answer is application/scim+json; errors are SCIM errors with scimType. A request
// without the bearer token (compared in constant time) gets 401. Microsoft Entra ID's own
// forms are taken as it means them: "True"/"False" strings for active and primary, a
// filter emails[type eq "work"].value eq "x", a path roles[primary eq "True"].value, the
// manager as a bare id (in a PATCH, a create or a PUT), attribute names and operators in
// any letter case, a Tenant URL ending ?aadOptscim062020 (ignored). A PATCH without
// operations is refused (400 invalidValue, RFC 7644 section 3.5.2) before any call.
//
// # Mapping
//
// Each SCIM attribute, its LeadSquared attribute, and what a write does:
//
//   - id: UserId; read-only.
//   - userName: EmailAddress; set at create; a change is refused (400 mutability):
//     LeadSquared cannot change an address.
//   - emails[type eq "work"] (or primary).value: EmailAddress; must equal userName when
//     both are given.
//   - name.givenName: FirstName; required (LeadSquared needs a first name).
//   - name.familyName: LastName.
//   - name.middleName: MiddleName.
//   - name.formatted, displayName: FirstName + " " + LastName; read-only, derived.
//   - timezone: TimeZone (an Olson name, as LeadSquared's).
//   - addresses[type eq "work"] (or primary, or the only untyped one): streetAddress,
//     locality, region, postalCode, country to Address, City, State, ZipCode, Country;
//     formatted and other types are ignored (audited).
//   - active: StatusCode (0 active); false: DeactivateUser, true: ActivateUser.
//   - title: Designation.
//   - phoneNumbers[type eq "work"].value: PhoneMain.
//   - phoneNumbers[type eq "mobile"].value: PhoneMobile; set at create only, a later
//     change is ignored (audited).
//   - roles[primary].value: Role (Administrator, Marketing_User, Sales_Manager or
//     Sales_User); none at create: Config.DefaultRole.
//   - enterprise employeeNumber: EmployeeId; read-only (no LeadSquared call writes it), a
//     change is ignored (audited).
//   - enterprise department: Department.
//   - enterprise manager.value: ManagerUserId, the manager's id (= their SCIM id); set
//     through Update User's Managers in Bulk, which LeadSquared applies asynchronously;
//     cannot be cleared.
//   - externalId, enterprise costCenter/organization/division, attributes of the
//     [CustomSchema] extension: mx_* fields through a [Mapping]; ignored unless mapped
//     (a CustomSchema attribute not mapped is refused, below).
//   - any other attribute of the core User schema (nickName, locale, password,
//     groups, other emails and phones, ...): ignored (not stored, not returned), and
//     named in the audit line.
//   - an attribute of no schema the handler declares (GET /Schemas): an extension such
//     as Entra's urn:ietf:params:scim:schemas:extension:custom:2.0:User, a misspelt
//     name: the create, PUT or PATCH is refused (400 invalidValue, or invalidPath for a
//     PATCH path) with a detail naming it, before any LeadSquared call.
//
// A PUT changes only the attributes it carries (RFC 7644 section 3.5.1 allows taking
// omitted attributes as not asserted): a value set in LeadSquared is never cleared by an IdP
// that does not manage it. Send a value empty, or PATCH remove it, to clear it.
//
// # Access
//
// active:false and DELETE deactivate (LeadSquared keeps its users; DELETE answers 204);
// active:true re-activates. A PATCH or PUT that sets active false beside a change that is
// refused (400: a new address, an undeclared attribute) is still refused, but the user is
// deactivated first and the detail says so: a leaver's access never outlives a refusal.
// The keys' owner is never deactivated (403). Reads use Advanced
// Search, so inactive users are found. A create first looks the address up, inactive users
// and look-alike addresses included (usersync.CanonicalAddress: case, Unicode forms,
// full-width letters, IDNA domains), under a lock per address key, and answers 409
// uniqueness when someone has it; an address with an invisible or control character is
// refused (400).
//
// That lock is the handler's own: it keeps apart the requests of one process. Two
// handlers over one account (several `lsq scim serve` sharing a budget through Redis, or
// another writer: lsq users, a person) can each look a look-alike address up, find no
// one, and both create: LeadSquared itself refuses only an address it already holds
// exactly. [Config.Shared] closes this: after a create the handler reads the account
// again, and when another user with the same key was created no later (by CreatedOn, to
// the second), it deactivates the user it just created and answers 409 uniqueness (the
// audit line says why); a re-activation is refused (409) while an active look-alike
// exists, and re-checked the same way after LeadSquared's answer. So of look-alikes
// created or re-activated at once at most one stays active; when both see each other
// both are deactivated, and the IdP's next attempt (find the user, set active true)
// re-activates one and is refused for the other. What Shared cannot cover: a
// deactivation that itself fails (the request's 5xx; the audit log holds it and the user
// stays active for an admin to deactivate), and an account whose search does not yet show
// a write just made (LeadSquared's docs say nothing about how soon Advanced Search sees
// one).
// When LeadSquared's answer to a create is lost (a 5xx, a dropped connection), the create
// is never sent again: the handler looks the address up and answers 201 only if the user
// is there, else 502, and the IdP's retry finds the user. An update deactivates first (a
// leaver loses access even if another change fails), then writes attributes, the manager,
// and re-activates last; any failure is the request's 5xx, never a partial change reported
// as done, and every step is safe to repeat. Attributes that LeadSquared's Create a User
// cannot set (title, department, work phone, address, time zone, middle name) are written
// by an update right after the create; if that fails the IdP gets a 5xx, its retry gets 409, and its next sync writes them.
//
// # Load
//
// A LeadSquared 429 and a spent client-side budget ([FailFast]) answer 429 with
// Retry-After at once, rather than holding the IdP's request; other LeadSquared failures
// answer 502 (503 when the request ended first), which IdPs retry. What a request costs
// in LeadSquared calls: a read or a filter naming an address 1 (a filter naming none, or an
// address not found, reads the whole account: one call per 1,000 users); an active toggle
// 3 (read, write, read back; the first deactivation also asks who owns the keys); a create
// 3 plus one per 1,000 users, since finding look-alike addresses reads the whole account.
// With [Config.Shared], a create reads the whole account once more, a re-activation twice.
//
// # Audit
//
// Every LeadSquared write is one JSON line in [Config.Audit] ([AuditEntry]): who (the SCIM
// client's address and User-Agent), what, the user before and after, and LeadSquared's
// answer. Never the keys or the token.
package scim
