"""Read submissions into table models. Readers only read: no finding is made here."""
