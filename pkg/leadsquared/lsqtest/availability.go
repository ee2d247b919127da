package lsqtest

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/leadsquared-go/leadsquared-go/pkg/api"
	"github.com/leadsquared-go/leadsquared-go/pkg/scalar"
)

// ---- hierarchy ----

// getUserHierarchy returns the Ids of every user under the manager (the key owner when
// UserId is left out), down the whole reporting chain; [] for an unknown user.
func (s *Server) getUserHierarchy(_ *call, p api.GetUserHierarchyParams) (int, any) {
	out := []string{}
	if m := s.st.userOrOwner(p.UserID); m != nil {
		for _, u := range s.st.reports(m.ID) {
			out = append(out, u.ID)
		}
	}
	return http.StatusOK, out
}

// getUserHierarchyInfo returns the users under UserId (the whole reporting chain),
// filtered by Include, with the Columns.Include_CSV fields as extra keys (null when unset).
// An unknown UserId gives no users.
func (s *Server) getUserHierarchyInfo(c *call) (int, any) {
	var req api.HierarchyInfoRequest
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	include := api.HierarchyIncludeAll
	if req.Include != "" {
		include = req.Include
	}
	var extra []string
	if req.Columns.IncludeCSV != "" {
		for _, n := range strings.Split(req.Columns.IncludeCSV, ",") {
			if n = strings.TrimSpace(n); n != "" {
				extra = append(extra, n)
			}
		}
	}
	users := []api.HierarchyUser{}
	if m := s.st.user(req.UserID); m != nil {
		for _, u := range s.st.reports(m.ID) {
			active := u.Status == UserActive
			switch include {
			case api.HierarchyIncludeCheckIn:
				if !u.CheckedIn {
					continue
				}
			case api.HierarchyIncludeCheckOut:
				if u.CheckedIn {
					continue
				}
			case api.HierarchyIncludeActive:
				if !active {
					continue
				}
			}
			hu := api.HierarchyUser{
				UserID: u.ID, Name: u.name(), Mobile: u.PhoneMobile, Email: u.EmailAddress,
				CheckedIn: api.StringBool(u.CheckedIn), IsActive: api.StringBool(active),
			}
			if u.PhoneMobile == "" {
				setAttr(&hu.AdditionalProperties, "Mobile", nil) // LeadSquared sends "Mobile": null
			}
			for _, col := range extra {
				cn := canonicalAttr(col)
				if cn == "" {
					cn = col
				}
				if v, ok := s.attr(u, cn); ok {
					setAttr(&hu.AdditionalProperties, col, v)
				} else {
					setAttr(&hu.AdditionalProperties, col, nil)
				}
			}
			users = append(users, hu)
		}
	}
	return http.StatusOK, keepZero(api.HierarchyInfo{SearchInfo: api.HierarchyInfoSearchInfo{TotalUsers: scalar.Int(len(users))}, Users: users},
		"SearchInfo.TotalUsers", "Users")
}

// ---- availability ----

func (s *Server) check(c *call, in bool) (int, any) {
	var req api.CheckInRequest // Check-Out's body has the same fields
	var out api.CheckOutRequest
	if in {
		if err := c.decode(&req); err != nil {
			return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
		}
	} else {
		if err := c.decode(&out); err != nil {
			return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
		}
		req = api.CheckInRequest{Source: out.Source, Location: out.Location, Latitude: out.Latitude, Longitude: out.Longitude, OtherDetails: out.OtherDetails}
	}
	u := s.st.users[s.st.ownerID]
	now := s.now()
	ev := CheckEvent{UserID: u.ID, At: now, CheckIn: in, Source: req.Source, Location: req.Location, OtherDetails: map[string]string{}}
	if req.Latitude != nil {
		ev.Latitude = *req.Latitude
	}
	if req.Longitude != nil {
		ev.Longitude = *req.Longitude
	}
	maps.Copy(ev.OtherDetails, req.OtherDetails)
	ev.OtherDetails["Source"] = req.Source
	s.st.events = append(s.st.events, ev)
	u.CheckedIn, u.LastCheckedOn = in, now
	verb := "out"
	if in {
		verb = "in"
		u.AvailabilityStatus = "Online"
		if req.AvailabilityStatus != "" {
			u.AvailabilityStatus = string(req.AvailabilityStatus)
		}
	} else {
		u.AvailabilityStatus = "Offline"
	}
	return http.StatusOK, api.CheckInOutResult{Status: "Success", Message: api.CheckInOutResultMessage{
		ResponseText: "User successfully checked " + verb + " on " + fmtTime(now),
	}}
}

// checkInUser checks in the key owner (again, when already checked in: no error is documented).
func (s *Server) checkInUser(c *call) (int, any) { return s.check(c, true) }

// checkOutUser checks out the key owner.
func (s *Server) checkOutUser(c *call) (int, any) { return s.check(c, false) }

// getCheckInStatus reads a user's status (the key owner by default); LastCheckedOn is null
// for a user who never checked in or out. An unknown user answers 500.
func (s *Server) getCheckInStatus(_ *call, p api.GetCheckInStatusParams) (int, any) {
	u := s.st.userOrOwner(p.UserID)
	if u == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: userId (no such user)")
	}
	var last any
	if !u.LastCheckedOn.IsZero() {
		last = fmtTime(u.LastCheckedOn)
	}
	return http.StatusOK, map[string]any{"IsCheckedIn": u.CheckedIn, "LastCheckedOn": last}
}

// DefaultHistoryPageSize is the page size of Get Check-In History when Paging is left out.
const DefaultHistoryPageSize = 200

// getCheckInHistory lists the events of the users (by id or email; unknown ones are
// ignored) with FromDate <= time <= ToDate, newest first, paged (1-based); RecordCount
// counts every match. FromDate after ToDate answers 500.
func (s *Server) getCheckInHistory(c *call) (int, any) {
	var req api.CheckInHistoryRequest
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	// The dates are "yyyy-MM-dd HH:mm:ss" (an unpadded hour and .fff are accepted).
	from, to := req.FromDate.Time, req.ToDate.Time
	if from.IsZero() || to.IsZero() {
		return fail(api.ExceptionInvalidInput, "Invalid Input! FromDate and ToDate must be yyyy-MM-dd HH:mm:ss")
	}
	if from.After(to) {
		return fail(api.ExceptionInvalidInput, "Invalid Input! FromDate must not be after ToDate")
	}
	ids := map[string]bool{}
	for _, x := range req.Users {
		var u *User
		if req.UserAttributeType == api.CheckInHistoryByUserEmail {
			u = s.st.byEmail(x)
		} else {
			u = s.st.user(x)
		}
		if u != nil {
			ids[u.ID] = true
		}
	}
	var found []CheckEvent
	for i := len(s.st.events) - 1; i >= 0; i-- {
		e := s.st.events[i]
		at := e.At.Truncate(time.Second)
		if ids[e.UserID] && !at.Before(from) && !at.After(to) {
			found = append(found, e)
		}
	}
	index, size := 1, DefaultHistoryPageSize
	if p := req.Paging; p.PageIndex != 0 {
		index = p.PageIndex
	}
	if p := req.Paging; p.PageSize != 0 {
		size = p.PageSize
	}
	details := []map[string]any{}
	for _, e := range pageOf(found, index, size) {
		email := ""
		if u := s.st.users[e.UserID]; u != nil {
			email = u.EmailAddress
		}
		var loc any
		if e.Location != "" {
			loc = e.Location
		}
		details = append(details, map[string]any{
			"UserId": e.UserID, "CheckedOn": fmtTime(e.At), "EmailAddress": email, "IsCheckIn": e.CheckIn,
			"Location": loc, "Latitude": e.Latitude, "Longitude": e.Longitude, "Source": e.Source,
			"IpAddress": nil, "OtherDetails": maps.Clone(e.OtherDetails),
		})
	}
	return http.StatusOK, map[string]any{"RecordCount": len(found), "Details": details}
}

// getUserWorkDayDetails says whether a user works on a date: on a holiday ([Server.AddHoliday])
// or leave ([Server.AddLeave]) 0 Holiday / Leave; with the [DefaultWorkDayTemplateID]
// template 1 with 09:00:00–18:00:00 on Monday to Friday and 0 NotScheduled at weekends;
// without a known template 1 WorkDayTemplateNotDefined, all day. An unknown user answers
// 500.
func (s *Server) getUserWorkDayDetails(_ *call, p api.GetUserWorkDayDetailsParams) (int, any) {
	u := s.st.user(p.UserID)
	if u == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: userId (no such user)")
	}
	date := p.Date
	day, err := time.Parse(DateLayout, date)
	if err != nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: date (want yyyy-MM-dd)")
	}
	out := api.WorkDayDetails{UserID: u.ID, StatusReason: "", WorkingHours: []api.WorkingHoursBlock{}}
	answer := func() (int, any) {
		return http.StatusOK, keepZero(out, "IsAvailable", "StatusReason", "UserId", "WorkingHours")
	}
	unavailable := func(reason string) (int, any) {
		out.IsAvailable, out.StatusReason = 0, reason
		return answer()
	}
	switch {
	case s.st.holidays[date]:
		return unavailable("Holiday")
	case s.st.leaves[u.ID][date]:
		return unavailable("Leave")
	case !strings.EqualFold(u.WorkDayTemplateID, DefaultWorkDayTemplateID):
		out.IsAvailable, out.StatusReason = 1, "WorkDayTemplateNotDefined"
		out.WorkingHours = []api.WorkingHoursBlock{{StartTime: "00:00:00", EndTime: "23:59:59"}}
		return answer()
	case day.Weekday() == time.Saturday || day.Weekday() == time.Sunday:
		return unavailable("NotScheduled")
	}
	out.IsAvailable = 1
	out.WorkingHours = []api.WorkingHoursBlock{{StartTime: "09:00:00", EndTime: "18:00:00"}}
	return answer()
}

// sendConverseNotification posts a card to an active user; another ToUser answers 500.
func (s *Server) sendConverseNotification(c *call) (int, any) {
	var req api.ConverseNotificationRequest
	if err := c.decode(&req); err != nil {
		return http.StatusBadRequest, errBody(api.ExceptionInvalidInput, err.Error())
	}
	u := s.st.activeUser(req.ToUser)
	if u == nil {
		return fail(api.ExceptionInvalidInput, "Invalid Input! Parameter Name: ToUser (no such active user)")
	}
	now := s.now()
	n := ConverseNotification{
		MessageID: newGUID() + "_" + strconv.FormatInt(now.UnixMilli(), 10), ToUser: u.ID, Type: req.Type, SentOn: now,
	}
	n.Message, n.Description = req.CardContents.Message, req.CardContents.Description
	s.st.converse = append(s.st.converse, n)
	return http.StatusOK, keepZero(api.ConverseNotificationResult{MessageID: n.MessageID, Success: true}, "MessageID", "Success")
}
