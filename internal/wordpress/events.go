package wordpress

// The Events Calendar (by The Events Calendar / StellarWP), the common
// WordPress plugin for events: its post types and the post meta that hold
// an event's time, zone and venue. Broadsheet imports its events and
// writes its own back in the same shape, so that WordPress reads them.
const (
	PostTypeEvent = "tribe_events"
	PostTypeVenue = "tribe_venue"

	// Times are "2006-01-02 15:04:05": the local ones in the event's
	// zone, the UTC ones in UTC.
	MetaEventStart    = "_EventStartDate"
	MetaEventEnd      = "_EventEndDate"
	MetaEventStartUTC = "_EventStartDateUTC"
	MetaEventEndUTC   = "_EventEndDateUTC"
	// MetaEventTimezone is an IANA name, or "UTC+2" style for a fixed
	// offset.
	MetaEventTimezone     = "_EventTimezone"
	MetaEventTimezoneAbbr = "_EventTimezoneAbbr"
	MetaEventAllDay       = "_EventAllDay" // "yes"
	MetaEventDuration     = "_EventDuration"
	MetaEventVenueID      = "_EventVenueID"
	MetaEventURL          = "_EventURL"
	// MetaEventStatus is the plugin's event status: "scheduled",
	// "canceled", "postponed" or "moved-online".
	MetaEventStatus = "_tribe_events_status"
	// MetaEventVirtualURL is the link of an online event (the plugin's
	// virtual events).
	MetaEventVirtualURL = "_tribe_events_virtual_url"

	MetaVenueAddress  = "_VenueAddress"
	MetaVenueCity     = "_VenueCity"
	MetaVenueState    = "_VenueStateProvince"
	MetaVenueProvince = "_VenueProvince"
	MetaVenueZip      = "_VenueZip"
	MetaVenueCountry  = "_VenueCountry"

	// MetaEventLocation is the event's place's name as Broadsheet keeps
	// it, when it writes the venue as its own item too.
	MetaEventLocation = "_broadsheet_event_location"
	// MetaEventRegistration is the event's registration link.
	MetaEventRegistration = "_broadsheet_event_registration_url"

	// PostTypeBook is a Broadsheet book; MetaBook holds its details as
	// JSON (subtitle, authors, isbn, publisher, published_on, pages,
	// buy_links), as the Admin API writes them.
	PostTypeBook = "broadsheet_book"
	MetaBook     = "_broadsheet_book"
)

// EventTime is the layout of The Events Calendar's times.
const EventTime = "2006-01-02 15:04:05"
