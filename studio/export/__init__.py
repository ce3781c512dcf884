"""Export approved content as a file a CMS imports.

- ``rows``: one approved draft at one revision, as plain values (``ExportRow``).
- ``presets``: each CMS's columns as one declarative mapping.
- ``slugs``: unique slugs within an export and against earlier ones.
- ``writing`` / ``workers``: one chunk of the file, in this process or a worker process.
- ``files``: rows in, the CSV or JSON file out (pure).
- ``picker``: the approved drafts the Export page offers.
- ``service``: the flow over the database (preview, export in one transaction).
- ``batches``: earlier exports, downloadable again.
- ``cli``: ``python -m studio export``.
"""
