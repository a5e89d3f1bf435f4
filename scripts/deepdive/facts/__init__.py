"""Facts a page states about a manifest, computed from it (never typed by hand)."""
