"""The follow-up's write use cases: the only code that changes a deadline, a follow-up record,
an absence or a reminder."""
