"""Media engine of Rushes (no Flask, no database): timecode maths and frame-accurate cuts."""
