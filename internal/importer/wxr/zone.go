package wxr

import (
	"fmt"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/wordpress"
)

// zoneGuess learns the old site's time zone from its entries' dates:
// WordPress writes each entry's date twice, in the site's time (post_date)
// and in UTC (post_date_gmt), so their difference is the zone's offset at
// that moment. An export names no zone itself.
type zoneGuess struct {
	// samples holds one moment per day and offset: enough to tell summer
	// from winter time, and bounded by the days the site published on.
	samples map[string]zoneSample
}

type zoneSample struct {
	at     time.Time // in UTC
	offset int       // seconds east of UTC
}

// observe records the offset an entry's two dates show, if both are given.
func (z *zoneGuess) observe(it *wordpress.Item) {
	if strings.HasPrefix(it.PostDateGMT, "0000") || strings.HasPrefix(it.PostDate, "0000") {
		return
	}
	local, err1 := time.Parse(wpTime, it.PostDate)
	gmt, err2 := time.Parse(wpTime, it.PostDateGMT)
	if err1 != nil || err2 != nil {
		return
	}
	off := int(local.Sub(gmt) / time.Second)
	if off%900 != 0 || off < -14*3600 || off > 14*3600 {
		return // not a zone's offset: a date edited by hand
	}
	if z.samples == nil {
		z.samples = map[string]zoneSample{}
	}
	key := fmt.Sprintf("%s/%d", gmt.Format("2006-01-02"), off)
	if _, ok := z.samples[key]; !ok {
		z.samples[key] = zoneSample{at: gmt, offset: off}
	}
}

// zoneCandidates are the zones tried, in order: the first whose offsets
// match every entry's is the site's. Zones sharing their rules give the
// same times, so the first of each is enough.
var zoneCandidates = []string{
	"Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
	"Europe/Warsaw", "Europe/Athens", "Europe/Helsinki", "Europe/Kyiv", "Europe/Istanbul", "Europe/Moscow",
	"Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi", "Africa/Casablanca", "Africa/Accra",
	"Asia/Jerusalem", "Asia/Beirut", "Asia/Tehran", "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu",
	"Asia/Dhaka", "Asia/Yangon", "Asia/Bangkok", "Asia/Jakarta", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore",
	"Asia/Manila", "Asia/Tokyo", "Asia/Seoul", "Australia/Perth", "Australia/Darwin", "Australia/Adelaide",
	"Australia/Brisbane", "Australia/Sydney", "Pacific/Auckland", "Pacific/Honolulu",
	"America/Anchorage", "America/Los_Angeles", "America/Phoenix", "America/Denver", "America/Chicago",
	"America/Mexico_City", "America/New_York", "America/Bogota", "America/Lima", "America/Caracas",
	"America/Halifax", "America/Santiago", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/St_Johns",
	"Atlantic/Azores", "Atlantic/Reykjavik",
}

// infer returns the IANA name of a zone whose offset matches every
// sample, or "" when the entries were all in UTC or no zone fits.
func (z *zoneGuess) infer() string {
	if len(z.samples) == 0 {
		return ""
	}
	constant, first := true, -1
	for _, s := range z.samples {
		if first == -1 {
			first = s.offset
		}
		if s.offset != first {
			constant = false
		}
	}
	if constant && first == 0 {
		return ""
	}
	for _, name := range zoneCandidates {
		loc, err := time.LoadLocation(name)
		if err != nil {
			continue
		}
		if z.fits(loc) {
			return name
		}
	}
	if constant && first%3600 == 0 {
		// A fixed offset ("UTC+3" in WordPress's settings). POSIX names
		// these with the sign inverted: Etc/GMT-3 is three hours east.
		name := fmt.Sprintf("Etc/GMT%+d", -first/3600)
		if loc, err := time.LoadLocation(name); err == nil && z.fits(loc) {
			return name
		}
	}
	return ""
}

func (z *zoneGuess) fits(loc *time.Location) bool {
	for _, s := range z.samples {
		if _, off := s.at.In(loc).Zone(); off != s.offset {
			return false
		}
	}
	return true
}
