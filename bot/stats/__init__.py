"""Statistics without tracking: anonymous daily tallies."""
