package date

// The two forms below were written with package time (time.Unix(…).UTC()
// .Format and time.Parse then Format with time.RFC1123Z and RFC1123).
// They are written out here because time's general layout parser and
// formatter were a twentieth of the WebAssembly module (see docs/web.md);
// clock_test.go checks them against package time.

// UnixUTC writes secs, seconds since 1970-01-01 00:00:00 UTC, as
// "YYYY-MM-DD HH:MM:SS" in UTC: time.Unix(secs, 0).UTC().Format("2006-01-02
// 15:04:05"), with the year in at least four digits, for any secs from
// the year 0 on (-62167219200).
func UnixUTC(secs int64) string {
	days, rem := secs/86400, secs%86400
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	y, m, d := civil(days)
	return Pad(y, 4) + "-" + Pad(m, 2) + "-" + Pad(d, 2) + " " +
		Pad(int(rem/3600), 2) + ":" + Pad(int(rem/60%60), 2) + ":" + Pad(int(rem%60), 2)
}

// civil returns the proleptic Gregorian date that is days days after
// 1970-01-01 (Howard Hinnant's civil_from_days, in eras of 400 years).
func civil(days int64) (year, month, day int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365], from 1 March
	mp := (5*doy + 2) / 153                                // [0, 11], March = 0
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}

// weekday returns the day of the week (0 Sunday) of a date of the
// proleptic Gregorian calendar, year 0 or later (Sakamoto's method).
func weekday(year, month, day int) int {
	t := [12]int{0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4}
	if month < 3 {
		year--
	}
	// year is -1 only for January and February of the year 0: +400 keeps
	// the sum positive without changing it modulo 7 (400 years are 146097
	// days, 20871 weeks).
	year += 400
	return (year + year/4 - year/100 + year/400 + t[month-1] + day) % 7
}

var (
	dayNames   = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// RFC1123 reads s as a date in RFC 1123's form (RFC 1123 §5.2.14, the form
// PNG §11.3.3.2 suggests for the "Creation Time" keyword) with a numeric
// zone, "Mon, 02 Jan 2006 15:04:05 -0700", or in GMT or UTC, "Mon, 02 Jan
// 2006 15:04:05 GMT", and writes it anew in that form. It reads what
// time.Parse(time.RFC1123Z, s) reads, and then time.RFC1123 for a date
// that ends in " GMT" or " UTC", and writes what Format writes with that
// layout: the names of the day and month in any case (the day's is not
// checked), one or more spaces where the layout has one, a one-digit hour,
// a fraction of a second after the seconds (dropped), a zone offset up to
// ±24:60 (written as hours and minutes, "+0060" as "+0100"). The day of the
// week it writes is the date's.
func RFC1123(s string) (string, bool) {
	c := clockCursor{s: s, ok: true}
	c.name(dayNames[:])
	c.lit(',')
	c.spaces()
	day := c.num(2, 2)
	c.spaces()
	month := c.name(monthNames[:]) + 1
	c.spaces()
	year := c.num(4, 4)
	c.spaces()
	hour := c.num(1, 2)
	c.lit(':')
	minute := c.num(2, 2)
	c.lit(':')
	second := c.num(2, 2)
	if len(c.s) >= 2 && (c.s[0] == '.' || c.s[0] == ',') && isDigit(c.s[1]) {
		c.s = c.s[2:]
		for len(c.s) > 0 && isDigit(c.s[0]) {
			c.s = c.s[1:]
		}
	}
	c.spaces()
	if !c.ok || hour > 23 || minute > 59 || second > 59 || day < 1 || day > DaysIn(year, month) {
		return "", false
	}
	out := dayNames[weekday(year, month, day)] + ", " + Pad(day, 2) + " " + monthNames[month-1] + " " +
		Pad(year, 4) + " " + Pad(hour, 2) + ":" + Pad(minute, 2) + ":" + Pad(second, 2) + " "
	switch z := c.s; {
	case z == "GMT" || z == "UTC":
		return out + z, true
	case len(z) == 5 && (z[0] == '+' || z[0] == '-'):
		c.s = z[1:]
		h, m := c.num(2, 2), c.num(2, 2)
		if !c.ok || h > 24 || m > 60 {
			return "", false
		}
		zone, sign := h*60+m, "+"
		if z[0] == '-' && zone != 0 {
			sign = "-"
		}
		return out + sign + Pad(zone/60, 2) + Pad(zone%60, 2), true
	}
	return "", false
}

// A clockCursor reads RFC1123's fields, with a sticky ok.
type clockCursor struct {
	s  string
	ok bool
}

// num reads a decimal number of at least least and at most most digits,
// as many as there are.
func (c *clockCursor) num(least, most int) int {
	v, n := 0, 0
	for n < most && n < len(c.s) && isDigit(c.s[n]) {
		v = v*10 + int(c.s[n]-'0')
		n++
	}
	if n < least {
		c.ok = false
	}
	c.s = c.s[n:]
	return v
}

// name reads one of names, in any case, and returns its index.
func (c *clockCursor) name(names []string) int {
	for i, n := range names {
		if len(c.s) >= len(n) && equalFold(c.s[:len(n)], n) {
			c.s = c.s[len(n):]
			return i
		}
	}
	c.ok = false
	return 0
}

// lit reads the byte b.
func (c *clockCursor) lit(b byte) {
	if len(c.s) == 0 || c.s[0] != b {
		c.ok = false
		return
	}
	c.s = c.s[1:]
}

// spaces reads one or more spaces (U+0020 only).
func (c *clockCursor) spaces() {
	if len(c.s) == 0 || c.s[0] != ' ' {
		c.ok = false
	}
	for len(c.s) > 0 && c.s[0] == ' ' {
		c.s = c.s[1:]
	}
}

// equalFold reports whether the ASCII strings a and b are equal but for
// the case of letters.
func equalFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x != y && (x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z') {
			return false
		}
	}
	return true
}
