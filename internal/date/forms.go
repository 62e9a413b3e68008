package date

// IsDate reports whether t is a date YYYY<sep>MM<sep>DD with a month and
// a day (CIPA DC-008 §4.6.4 C; sep is ':'), of a year from 1 on.
func IsDate(t string, sep byte) bool {
	if len(t) != 10 || t[4] != sep || t[7] != sep {
		return false
	}
	y, ok1 := decimal(t[:4])
	m, ok2 := decimal(t[5:7])
	d, ok3 := decimal(t[8:])
	return ok1 && ok2 && ok3 && y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= 31
}

// IsClock reports whether t is HH:MM:SS, a time of day (a leap second
// allowed).
func IsClock(t string) bool {
	if len(t) != 8 || t[2] != ':' || t[5] != ':' {
		return false
	}
	h, ok1 := decimal(t[:2])
	m, ok2 := decimal(t[3:5])
	s, ok3 := decimal(t[6:])
	return ok1 && ok2 && ok3 && h <= 23 && m <= 59 && s <= 60
}

// IsOffset reports whether t is an offset from UTC, "+HH:MM" or
// "-HH:MM", between -12:00 and +14:00 (CIPA DC-008 §4.6.5 G OffsetTime).
func IsOffset(t string) bool {
	if len(t) != 6 || t[0] != '+' && t[0] != '-' || t[3] != ':' {
		return false
	}
	h, ok1 := decimal(t[1:3])
	m, ok2 := decimal(t[4:])
	return ok1 && ok2 && m <= 59 && (t[0] == '+' && h <= 14 || t[0] == '-' && h <= 12)
}

// IsIIMDate reports whether t is an IPTC-IIM date, CCYYMMDD (IPTC-IIM
// 4.2 §6 2:55 DateCreated), of a year from 1 on; the month and the day
// may be 00, unknown.
func IsIIMDate(t string) bool {
	y, ok1 := decimal(t[:min(4, len(t))])
	m, ok2 := decimal(t[min(4, len(t)):min(6, len(t))])
	day, ok3 := decimal(t[min(6, len(t)):])
	return len(t) == 8 && ok1 && ok2 && ok3 && y >= 1 && m <= 12 && day <= 31
}

// IsIIMTime reports whether t is an IPTC-IIM time, HHMMSS±HHMM (IPTC-IIM
// 4.2 §6 2:60 TimeCreated): a time of day (IsClock) and an offset from
// UTC (IsOffset).
func IsIIMTime(t string) bool {
	if len(t) != 11 || t[6] != '+' && t[6] != '-' {
		return false
	}
	return IsClock(t[0:2]+":"+t[2:4]+":"+t[4:6]) && IsOffset(t[6:9]+":"+t[9:])
}

// IsDigits reports whether t is one or more decimal digits.
func IsDigits(t string) bool { return t != "" && allDigits(t) }

func allDigits(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// decimal returns the number t, which must be all digits.
func decimal(t string) (int, bool) {
	if t == "" || !allDigits(t) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(t); i++ {
		n = n*10 + int(t[i]-'0')
	}
	return n, true
}
