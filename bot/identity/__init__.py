"""Who is who, without knowing who: pseudonyms, sealed addresses, keys and their rotation."""
