"""Payment and vehicle reminders: the ladder of steps before and after each due date, and the service dates."""
