"""The append-only audit trail: ``service`` writes and reads it, ``download`` makes its CSV,
``guards`` keeps it append-only in the ORM and the database."""
