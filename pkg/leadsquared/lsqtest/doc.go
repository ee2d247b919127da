// Package lsqtest is a fake LeadSquared User Management API for tests: a stateful HTTP
// server that serves every operation of the spec (spec/openapi.yaml) under /v2 and behaves
// like LeadSquared, not like a mock.
//
// In a test, start one with [MustNewServer] and point a client at it; package lsqclient
// makes that client, on the server's [Clock] so that no retry or rate-limit wait takes real
// time:
//
//	srv := lsqtest.MustNewServer(t)
//	c := lsqclient.New(t, srv) // or leadsquared.New(srv.URL, srv.AccessKey, srv.SecretKey)
//
// A program or an Example uses [NewServer] (and Close); [New] makes a fake without a
// listener, to serve [Server.Handler] yourself.
//
// What it does, like LeadSquared:
//
//   - authentication by the accessKey/secretKey query parameters or the x-LSQ-AccessKey /
//     x-LSQ-SecretKey headers; wrong or missing keys give 401 with LeadSquared's error body
//     (MXUnAuthorizedAccessException);
//   - query parameter names match in any letter case (UserId=, userId=, ACCESSKEY=), as
//     LeadSquared's WCF services match them; a missing required one is still an error;
//   - every request is validated against the spec (package validate): an invalid one gets
//     400 with an error body (MXInvalidInputException) whose message names each failing field
//     by its JSON pointer; an unknown route gets 404 (MXNotFoundException). Body fields the
//     spec does not name are ignored, as LeadSquared ignores them;
//   - the validation errors LeadSquared answers with HTTP 500: a User Advanced Search whose
//     Columns.Include_CSV names ManagerName or TeamName ("User search has some invalid
//     Attributes") or whose Paging.PageSize is over 1000 ("PageSize can't be greater than
//     1000"), both MXInvalidInputException (the real ExceptionType is not known);
//   - state: users (GUID ids, duplicate email → 500 MXDuplicateEntryException, reads of a
//     missing or inactive user answer 200 with [], deactivate/obsolete, tags, advanced search
//     with paging, managers and hierarchy), permission templates (at most 50 per account by
//     default, apply/remove/overwrite, effective permissions per user) and availability
//     (check-in/out of the key owner, status, history, work-day details); dates are
//     "yyyy-MM-dd HH:mm:ss" in UTC;
//   - rate limits per account ([WithRateLimit], [WithBulkRateLimit]) in any of the three forms
//     LeadSquared uses (429, 403, or 200 with the exception body);
//   - scripted faults ([Server.FailNext]) and a request log with the keys redacted
//     ([Server.Requests]);
//   - replies that drift from the spec on purpose ([WithDrift]: extra attributes, scalars in
//     their other JSON type, new enum values, a missing required attribute), with the list of
//     what was injected ([Server.Drifted]), to test leadsquared.WithDriftReport and
//     `lsq spec drift`.
//
// The server starts with one active Administrator, the owner of the keys ([Server.OwnerID]):
// Authenticate a User returns that user, and check-in/check-out act on that user.
//
// Every response the server builds itself validates against the spec (unless [WithDrift]
// says otherwise); bodies scripted with [Fault] are sent as given.
//
// Where LeadSquared's docs are silent, the fake chooses:
//
//   - business errors (unknown id in a write, unknown template, active user marked
//     obsolete, over the template limit, bad search attribute) answer HTTP 500 with an MX…
//     body, as LeadSquared does for logical errors; reads by id, email or tags answer [];
//   - obsolete users disappear from every read and free their address; the key owner
//     cannot be deactivated (it would lock the fake's only keys out);
//   - Update a User accepts the spec's list of updatable attributes only;
//   - searches compare without regard to letter case; Advanced Search lists inactive users,
//     in creation order unless Sorting says otherwise, 1000 per page by default, and needs
//     a GroupOperator between several condition groups;
//   - Update User's Managers in Bulk skips rows with an unknown user or manager, or that
//     would make a reporting cycle, as the asynchronous original would fail them;
//   - template names are unique (ignoring case); Apply without overWriteAll adds to the
//     assignments; Overwrite takes the users off every other template; a user's effective
//     permissions start from full access and take the most restrictive access of each
//     action over the templates applied to the user or the user's role (only the user's
//     own templates when the user's ApplyOnlyUserSpecificPT setting is 1);
//   - check-in history is inclusive of both dates, newest first, 200 per page by default;
//   - work days follow [DefaultWorkDayTemplateID] (Monday to Friday, 09:00–18:00), with
//     holidays and leave seeded by [Server.AddHoliday] and [Server.AddLeave].
package lsqtest
