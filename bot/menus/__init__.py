"""The menu pages people browse: screens built from the content tree."""
