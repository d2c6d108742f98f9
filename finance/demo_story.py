"""The finance part of the demo story, as data (played by ``finance.demo``).

Omar in finance has paid every IOP's planned periods as they fell due, each booked with a
voucher number; one payment was booked with the wrong amount and corrected. This year one
period of Agera Värmland is held because its annual report has not come in (the follow-up's
missing report), and one period of another IOP is overdue and unpaid.
"""

FINANCE_USER = "omar"
REFERENCE = "VER-{year}-{number:04d}"
FIRST_NUMBER = 401  # the finance system's running voucher number, per year
PAID_DAYS_AFTER_DUE = 2  # a payment is booked a couple of days after its period falls due

HELD_CASE = "agera"
HELD_REASON = "Årsredovisningen för 2025 har inte kommit in"
OVERDUE_CASE = "fritidsbanken"  # its latest period this year is left unpaid

CORRECTED_CASE = "ebl"  # its first payment was booked 10 000 kr short, then corrected
WRONG_BY = 10_000
CORRECTION_NOTE = "Fel belopp bokfört; rättat enligt verifikationen i ekonomisystemet."
