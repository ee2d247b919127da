package leadsquared_test

// The models of AdvancedSearchUsers' reply as oapi-codegen generated them before the tolerant
// scalars and plain values (commit b9fe53b, pkg/api/api.gen.go): the baseline of
// BenchmarkDecodeSearch1000. Copied verbatim, renamed with a legacy prefix.

import (
	"encoding/json"
	"fmt"
)

type legacyUserSearchRecord struct {
	AssociatedPhoneNumbers *string `json:"AssociatedPhoneNumbers,omitempty"`
	AvailabilityStatus     *string `json:"AvailabilityStatus,omitempty"`

	// CreatedOn `yyyy-MM-dd HH:mm:ss` (UTC).
	CreatedOn    *string `json:"CreatedOn,omitempty"`
	Department   *string `json:"Department,omitempty"`
	Designation  *string `json:"Designation,omitempty"`
	EmailAddress *string `json:"EmailAddress,omitempty"`
	EmployeeID   *string `json:"EmployeeId,omitempty"`

	// FirstName Example: Vir
	FirstName *string `json:"FirstName,omitempty"`

	// Groups The sales-group names joined with commas (not an array here).
	Groups *string `json:"Groups,omitempty"`

	// IsAdministrator `"true"` or `"false"`.
	IsAdministrator *string `json:"IsAdministrator,omitempty"`

	// LastName Example: Singh
	LastName      *string `json:"LastName,omitempty"`
	ManagerName   *string `json:"ManagerName,omitempty"`
	ManagerUserID *string `json:"ManagerUserId,omitempty"`
	PhoneMain     *string `json:"PhoneMain,omitempty"`
	PhoneMobile   *string `json:"PhoneMobile,omitempty"`
	Role          *string `json:"Role,omitempty"`

	// StatusCode `"0"` active, `"1"` inactive (a string here).
	StatusCode *string `json:"StatusCode,omitempty"`
	TeamID     *string `json:"TeamId,omitempty"`

	// TeamName Reported to stay `null` even when `TeamId` is set.
	TeamName *string `json:"TeamName,omitempty"`

	// UserId Example: 3b1041fb-8374-11e7-8758-0a106ee76b21
	UserID               *string                `json:"UserId,omitempty"`
	AdditionalProperties map[string]interface{} `json:"-"`
}

// legacyUserSearchResult The answer of User Advanced Search (inferred from public code, medium confidence: the docs page is cut off
// before it).
type legacyUserSearchResult struct {
	Users *[]legacyUserSearchRecord `json:"Users,omitempty"`
}

func (a *legacyUserSearchRecord) Set(fieldName string, value interface{}) {
	if a.AdditionalProperties == nil {
		a.AdditionalProperties = make(map[string]interface{})
	}
	a.AdditionalProperties[fieldName] = value
}

// Override default JSON handling for legacyUserSearchRecord to handle AdditionalProperties.
func (a *legacyUserSearchRecord) UnmarshalJSON(b []byte) error {
	object := make(map[string]json.RawMessage)
	err := json.Unmarshal(b, &object)
	if err != nil {
		return err
	}

	if raw, found := object["AssociatedPhoneNumbers"]; found {
		err = json.Unmarshal(raw, &a.AssociatedPhoneNumbers)
		if err != nil {
			return fmt.Errorf("error reading 'AssociatedPhoneNumbers': %w", err)
		}
		delete(object, "AssociatedPhoneNumbers")
	}

	if raw, found := object["AvailabilityStatus"]; found {
		err = json.Unmarshal(raw, &a.AvailabilityStatus)
		if err != nil {
			return fmt.Errorf("error reading 'AvailabilityStatus': %w", err)
		}
		delete(object, "AvailabilityStatus")
	}

	if raw, found := object["CreatedOn"]; found {
		err = json.Unmarshal(raw, &a.CreatedOn)
		if err != nil {
			return fmt.Errorf("error reading 'CreatedOn': %w", err)
		}
		delete(object, "CreatedOn")
	}

	if raw, found := object["Department"]; found {
		err = json.Unmarshal(raw, &a.Department)
		if err != nil {
			return fmt.Errorf("error reading 'Department': %w", err)
		}
		delete(object, "Department")
	}

	if raw, found := object["Designation"]; found {
		err = json.Unmarshal(raw, &a.Designation)
		if err != nil {
			return fmt.Errorf("error reading 'Designation': %w", err)
		}
		delete(object, "Designation")
	}

	if raw, found := object["EmailAddress"]; found {
		err = json.Unmarshal(raw, &a.EmailAddress)
		if err != nil {
			return fmt.Errorf("error reading 'EmailAddress': %w", err)
		}
		delete(object, "EmailAddress")
	}

	if raw, found := object["EmployeeId"]; found {
		err = json.Unmarshal(raw, &a.EmployeeID)
		if err != nil {
			return fmt.Errorf("error reading 'EmployeeId': %w", err)
		}
		delete(object, "EmployeeId")
	}

	if raw, found := object["FirstName"]; found {
		err = json.Unmarshal(raw, &a.FirstName)
		if err != nil {
			return fmt.Errorf("error reading 'FirstName': %w", err)
		}
		delete(object, "FirstName")
	}

	if raw, found := object["Groups"]; found {
		err = json.Unmarshal(raw, &a.Groups)
		if err != nil {
			return fmt.Errorf("error reading 'Groups': %w", err)
		}
		delete(object, "Groups")
	}

	if raw, found := object["IsAdministrator"]; found {
		err = json.Unmarshal(raw, &a.IsAdministrator)
		if err != nil {
			return fmt.Errorf("error reading 'IsAdministrator': %w", err)
		}
		delete(object, "IsAdministrator")
	}

	if raw, found := object["LastName"]; found {
		err = json.Unmarshal(raw, &a.LastName)
		if err != nil {
			return fmt.Errorf("error reading 'LastName': %w", err)
		}
		delete(object, "LastName")
	}

	if raw, found := object["ManagerName"]; found {
		err = json.Unmarshal(raw, &a.ManagerName)
		if err != nil {
			return fmt.Errorf("error reading 'ManagerName': %w", err)
		}
		delete(object, "ManagerName")
	}

	if raw, found := object["ManagerUserId"]; found {
		err = json.Unmarshal(raw, &a.ManagerUserID)
		if err != nil {
			return fmt.Errorf("error reading 'ManagerUserId': %w", err)
		}
		delete(object, "ManagerUserId")
	}

	if raw, found := object["PhoneMain"]; found {
		err = json.Unmarshal(raw, &a.PhoneMain)
		if err != nil {
			return fmt.Errorf("error reading 'PhoneMain': %w", err)
		}
		delete(object, "PhoneMain")
	}

	if raw, found := object["PhoneMobile"]; found {
		err = json.Unmarshal(raw, &a.PhoneMobile)
		if err != nil {
			return fmt.Errorf("error reading 'PhoneMobile': %w", err)
		}
		delete(object, "PhoneMobile")
	}

	if raw, found := object["Role"]; found {
		err = json.Unmarshal(raw, &a.Role)
		if err != nil {
			return fmt.Errorf("error reading 'Role': %w", err)
		}
		delete(object, "Role")
	}

	if raw, found := object["StatusCode"]; found {
		err = json.Unmarshal(raw, &a.StatusCode)
		if err != nil {
			return fmt.Errorf("error reading 'StatusCode': %w", err)
		}
		delete(object, "StatusCode")
	}

	if raw, found := object["TeamId"]; found {
		err = json.Unmarshal(raw, &a.TeamID)
		if err != nil {
			return fmt.Errorf("error reading 'TeamId': %w", err)
		}
		delete(object, "TeamId")
	}

	if raw, found := object["TeamName"]; found {
		err = json.Unmarshal(raw, &a.TeamName)
		if err != nil {
			return fmt.Errorf("error reading 'TeamName': %w", err)
		}
		delete(object, "TeamName")
	}

	if raw, found := object["UserId"]; found {
		err = json.Unmarshal(raw, &a.UserID)
		if err != nil {
			return fmt.Errorf("error reading 'UserId': %w", err)
		}
		delete(object, "UserId")
	}

	if len(object) != 0 {
		a.AdditionalProperties = make(map[string]interface{})
		for fieldName, fieldBuf := range object {
			var fieldVal interface{}
			err := json.Unmarshal(fieldBuf, &fieldVal)
			if err != nil {
				return fmt.Errorf("error unmarshaling field %s: %w", fieldName, err)
			}
			a.AdditionalProperties[fieldName] = fieldVal
		}
	}
	return nil
}

// Override default JSON handling for legacyUserSearchRecord to handle AdditionalProperties.
