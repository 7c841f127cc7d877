"""Helpers with no domain knowledge (settings, crypto, dates, URLs, mail)."""
