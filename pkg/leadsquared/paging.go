package leadsquared

import (
	"context"
	"iter"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
)

// Page sizes of the paged retrievals.
const (
	// MaxUserSearchPageSize is the largest Paging.PageSize AdvancedSearchUsers accepts
	// (the spec's UserSearchPaging.PageSize maximum); [Client.SearchUsers] uses it when the
	// request names no page size.
	MaxUserSearchPageSize = 1000
	// DefaultCheckInHistoryPageSize is the page size [Client.CheckInHistory] uses when the
	// request names none (the docs' sample; no maximum is documented).
	DefaultCheckInHistoryPageSize = 200
	// DefaultPermissionTemplatePageSize is the page size [Client.PermissionTemplates] uses
	// when the request names none: an account holds at most 50 templates, so one page
	// returns them all.
	DefaultPermissionTemplatePageSize = 50
)

// page is one page of a paged retrieval: its items and, when the answer has one, its
// record count.
type page[T any] struct {
	items []T
	count *int
}

// pages returns an iterator over the items of the pages fetch returns for 1-based page
// indexes from first on. It fetches a page only when the items before it have been
// consumed, and stops after an empty page, after a page once the items seen reach a record
// count that is larger than that page (so it is a total, not the page's own count), after a
// short page when no such total says more remain, or after the first error, which it yields
// once.
//
// A short page is not the end while the total says more remain: a server that caps the page
// size lower than asked still yields every record. The total counts from the first record,
// so the records before page first are subtracted: (first-1) pages of size, or of the first
// page's length when that page is short (the server's own page size, or the last page, in
// which case the next page comes back empty).
//
// A page longer than size means the server ignored the page size: it is the last page too.
func pages[T any](first, size int, fetch func(index int) (page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		seen := 0
		served := size // the server's page size, as far as the first page tells
		for index := first; ; index++ {
			p, err := fetch(index)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range p.items {
				if !yield(it, nil) {
					return
				}
			}
			n := len(p.items)
			seen += n
			if n == 0 || n > size {
				return
			}
			if index == first && n < size {
				served = n
			}
			if p.count == nil || *p.count <= n { // no total
				if n < size {
					return
				}
				continue
			}
			if seen >= *p.count-(first-1)*served {
				return
			}
		}
	}
}

// recordCount is a page's RecordCount, nil when the answer has none (0 is read as none: a
// total of 0 with items on the page cannot be a total).
func recordCount(n scalar.Int) *int {
	if n <= 0 {
		return nil
	}
	c := int(n)
	return &c
}

// pageSize resolves a requested page size: def when unset or not positive, at most limit
// when limit > 0.
func pageSize(requested, def, limit int) int {
	n := def
	if requested > 0 {
		n = requested
	}
	if limit > 0 && n > limit {
		n = limit
	}
	return n
}

// firstPage resolves a requested first page index (1 when unset or not positive).
func firstPage(requested int) int {
	if requested > 0 {
		return requested
	}
	return 1
}

// SearchUsers returns an iterator over every user AdvancedSearchUsers finds for req,
// fetching pages of req.Paging.PageSize users lazily (default and cap:
// [MaxUserSearchPageSize]) from req.Paging.PageIndex (default 1). AdvancedSearchUsers' answer
// has no total, so it stops after the last page (a short or empty one), when the loop
// breaks, or at the first error, which it yields once
// with a zero record. req is not changed; each page is one request, paced and retried like
// any other. Give req a Sorting so that pages stay consistent while users change.
//
//	for u, err := range c.SearchUsers(ctx, api.UserSearchRequest{Columns: api.UserSearchColumns{IncludeCSV: "UserId,FirstName"}}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(u.ID)
//	}
//
// opts are every page's call options ([Option]); WithResponseInto and WithCallStats
// report the last page's call.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/user-advanced-search/
func (c *Client) SearchUsers(ctx context.Context, req api.UserSearchRequest, opts ...Option) iter.Seq2[api.UserSearchRecord, error] {
	size := pageSize(req.Paging.PageSize, MaxUserSearchPageSize, MaxUserSearchPageSize)
	return pages(firstPage(req.Paging.PageIndex), size, func(index int) (page[api.UserSearchRecord], error) {
		body := req
		body.Paging = api.UserSearchPaging{PageIndex: index, PageSize: size}
		res, err := c.AdvancedSearchUsers(ctx, body, opts...)
		if err != nil {
			return page[api.UserSearchRecord]{}, err
		}
		return page[api.UserSearchRecord]{items: res.Users}, nil
	})
}

// CheckInHistory returns an iterator over the check-in and check-out events
// GetCheckInHistory finds for req, fetching pages of req.Paging.PageSize events lazily
// (default [DefaultCheckInHistoryPageSize]) from req.Paging.PageIndex (default 1). It stops
// once the events seen reach RecordCount when the answer shows it is a total (a short page
// does not end it while the total says more remain: a server may cap the page size), after
// an empty page, when the loop breaks, or at the first error, which it yields once. req is
// not changed.
//
// opts are every page's call options ([Option]); WithResponseInto and WithCallStats
// report the last page's call.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/get-check-in-history-of-users/
func (c *Client) CheckInHistory(ctx context.Context, req api.CheckInHistoryRequest, opts ...Option) iter.Seq2[api.CheckInHistoryEntry, error] {
	size := pageSize(req.Paging.PageSize, DefaultCheckInHistoryPageSize, 0)
	return pages(firstPage(req.Paging.PageIndex), size, func(index int) (page[api.CheckInHistoryEntry], error) {
		body := req
		body.Paging = api.CheckInHistoryPaging{PageIndex: index, PageSize: size}
		res, err := c.GetCheckInHistory(ctx, body, opts...)
		if err != nil {
			return page[api.CheckInHistoryEntry]{}, err
		}
		return page[api.CheckInHistoryEntry]{items: res.Details, count: recordCount(res.RecordCount)}, nil
	})
}

// PermissionTemplates returns an iterator over the permission templates
// GetPermissionTemplates finds for req, fetching pages of req.Paging.PageSize templates
// lazily (default [DefaultPermissionTemplatePageSize], which returns all of an account's
// templates in one call) from req.Paging.PageIndex (default 1). With no req.Parameter it
// lists all templates (Parameter.SearchText " ", as the docs say). It stops once the
// templates seen reach RecordCount (a short page does not end it while the total says more
// remain), after an empty page, when the loop breaks, or at the first error, which it yields
// once. req is not changed.
//
// opts are every page's call options ([Option]); WithResponseInto and WithCallStats
// report the last page's call.
//
// LeadSquared API docs: https://apidocs.leadsquared.com/retrieve-permission-template/
func (c *Client) PermissionTemplates(ctx context.Context, req api.PermissionTemplateSearchRequest, opts ...Option) iter.Seq2[api.PermissionTemplate, error] {
	if req.Parameter == (api.PermissionTemplateSearchParameter{}) {
		req.Parameter = api.PermissionTemplateSearchParameter{SearchText: " "}
	}
	size := pageSize(req.Paging.PageSize, DefaultPermissionTemplatePageSize, 0)
	return pages(firstPage(req.Paging.PageIndex), size, func(index int) (page[api.PermissionTemplate], error) {
		body := req
		body.Paging = api.PermissionTemplatePaging{PageIndex: index, PageSize: size}
		res, err := c.GetPermissionTemplates(ctx, body, opts...)
		if err != nil {
			return page[api.PermissionTemplate]{}, err
		}
		return page[api.PermissionTemplate]{items: res.List, count: recordCount(res.RecordCount)}, nil
	})
}
