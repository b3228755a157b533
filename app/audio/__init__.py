"""Audio tracks of a video: what staff call them, what people see, what they choose.

`tracks` shows them (technical sheet, download choices) and reads a choice from a
request; `service` keeps the staff labels.  The tracks themselves, and the keys that
name them, are the media core's (app/media/audio_tracks.py).
"""
