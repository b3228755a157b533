"""HTTP plumbing shared by every area: serving files (sendfile), reading request values
(converters), refusing hostile input (guard)."""
