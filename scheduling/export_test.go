package scheduling

// ReadSchedulesUncached makes s read every search's schedules from the
// calendars, as if nothing were kept between searches: the path the kept
// schedules must agree with.
func ReadSchedulesUncached(s *Service) { s.noScheduleCache = true }
