"""Open Referral HSDS 3.0: our models as HSDS objects (API and export) and back (import).

Modules: ``fields`` (the field table and value conversions), ``shapes`` (the HSDS objects the
API and the JSON export give), ``export`` (JSON and CSV/zip), ``importer`` (reading and
checking a file; the write is ``directory.services.hsds_import``).

One field table (``TABLES``) drives all three directions:

* **API / JSON export** — ``service_list_item`` (the one-to-one ``service_list`` shape),
  ``service_full`` (the compiled ``service`` shape, fully nested), and the organization,
  location, service_at_location and taxonomy shapes. Empty values are left out (HSDS types
  are not nullable).
* **CSV export** — every official table under its official file name, the official columns in
  the official order (``datapackage.json``), then our extensions (documented at
  ``/api/hsds/3.0/profile/``).
* **Import** — an HSDS document (service, organization, service_at_location, location,
  taxonomy, term; alone, in a list or in an HSDS Page) or the official CSV tables (a directory
  or a zip). Every row is checked against our models (types, required fields, choices, lengths,
  e-mail/URL syntax, references); *every* bad row and field is reported; nothing is saved
  unless everything is valid (one transaction). Rows are matched on their HSDS ``id``
  (idempotent). For each parent in the file, its children that the file no longer lists are
  removed (the file is the truth for what it contains).
* **Nothing official is dropped** — official fields we do not model live in ``hsds_extra``, rows
  of the official tables we do not model (and rows we cannot place) in ``KeptRecord``; both are
  exported again; references to records outside the file are kept as ids
  (docs/api/hsds-round-trip.md, with the normalisation a round trip applies).

Schedules: HSDS allows only ``freq`` WEEKLY/MONTHLY; our DAILY/YEARLY schedules travel in the
extension ``rrule_freq``. Times are Europe/Amsterdam wall-clock times; on export they get the
zone's standard offset (``09:00:00+01:00``; in CSV ``09:00:00``) and ``timezone`` 1, with ``timezone_name`` as extension.
"""
