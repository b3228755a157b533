"""Ingest: an uploaded or imported file becomes a ready video.

store (uploads in progress on disk) → service (place the master, probe, derivatives,
renditions; the rules of a failed or deleted video) → tasks (the ingest job, the
hourly clean-up). The tus protocol that fills the store is a staff page:
app/admin/tus.py. The bulk import of files already on the server: importer.py.
"""
