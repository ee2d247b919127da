package leadsquared

// Ptr returns a pointer to v: the value of an optional field whose zero is sent on purpose,
// such as the attributes of api.UserUpdateFields (an attribute left nil is not sent; one set
// to Ptr(""), Ptr(false) or Ptr(0) is).
//
//	u := api.UserUpdateFields{LastName: leadsquared.Ptr("Kant"), IsPhoneCallAgent: leadsquared.Ptr(false)}
func Ptr[T any](v T) *T { return &v }
